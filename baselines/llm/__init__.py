"""LLM extractors: any OpenAI-compatible chat-completions endpoint (``--model openai:<model>``).

One module per idea: ``options`` (the --model-args), ``templates`` (versioned prompts,
package data under ``templates/``), ``chunks`` (long documents by sentences),
``client`` (one call: cache, structured output and its fallback, the openai client's
retries), ``cache`` (the SQLite response cache), ``answers`` (tolerant JSON, checked
items), ``align`` (surface strings to exact offsets: the one documented rule) and
``extractor`` (the family registered as ``openai``).  Nothing here imports the
``openai`` package until a request is made.
"""
