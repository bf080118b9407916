"""Hand-written generic rules (word lists, gazetteer, entity and stance rules) of the regex baseline."""
