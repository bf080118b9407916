"""Tune the EmbeddingStance similarity threshold on invented dev text.

The articles below are fiction (invented countries, people and events), written
for this purpose only; nothing comes from the benchmark corpus, which must never
be used for tuning.  Each sentence lists the dev claims it bears on (supports,
denies or reports with distance); all other (claim, sentence) pairs are negatives,
many of them on the same topic, like the benchmark's claims.

Run ``python -m baselines.stance_tune`` to print precision/recall/F1 of sentence
evidence detection per threshold and the best one (ties -> the higher threshold).
"""

from __future__ import annotations

from bench.types import Claim

DEV_CLAIMS: tuple[Claim, ...] = (
    Claim("D1", "Veldorian troops were deployed to Marenia."),
    Claim("D2", "Veldorian soldiers fought in the Tarsk province."),
    Claim("D3", "The Tarsk province was fully recaptured."),
    Claim("D4", "Veldorian soldiers were killed in combat."),
    Claim("D5", "President Oren Vasko personally ordered the deployment."),
    Claim("D6", "The deployment was based on the mutual defence treaty."),
    Claim("D7", "Marenian air defences shot down a cargo plane."),
    Claim("D8", "Veldoria and Marenia signed a new trade agreement."),
)

# (sentence, claim ids it bears on); one article per tuple.
DEV_ARTICLES: tuple[tuple[tuple[str, frozenset[str]], ...], ...] = tuple(
    tuple((s, frozenset(ids.split())) for s, ids in article)
    for article in (
        (
            ("Veldoria confirmed for the first time on Friday that its army units had been sent to Marenia.", "D1"),
            ("The state news agency said the soldiers took part in the operation to free the Tarsk province.", "D2 D3"),
            ("According to the agency, the province was completely liberated last week.", "D3"),
            ("President Oren Vasko ordered the troops to be sent, the statement said.", "D5 D1"),
            ("The decision was made under the mutual defence treaty signed two years ago.", "D6"),
            ("Vasko praised the heroism of the fallen soldiers and promised a monument in the capital.", "D4"),
            ("Separately, the finance ministry published new inflation figures.", ""),
            ("The report did not say how many soldiers had been deployed.", "D1"),
            ("Heavy rain is expected across the north of the country this weekend.", ""),
        ),
        (
            ("Marenian military officials denied on Tuesday that the Tarsk province had been recaptured.", "D3"),
            ("Fighting continues in several villages near the border, a spokesperson said.", ""),
            ("The claim that the province was fully retaken does not correspond to reality, the general staff said.", "D3"),
            ("Kyra Dalen, a spokesperson for the general staff, said Veldorian soldiers had been seen in Tarsk since winter.", "D2"),
            ("She added that dozens of them were killed in artillery strikes.", "D4"),
            ("The general staff also said its air defences shot down a cargo aircraft overnight.", "D7"),
            ("Officials in the capital opened a new metro line on Monday.", ""),
            ("The ministry of culture announced a film festival for the autumn.", ""),
        ),
        (
            ("Analysts say the alleged deployment of Veldorian units remains hard to verify.", "D1"),
            ("Satellite images reportedly show columns of trucks near the Tarsk border.", "D2"),
            ("Pro-government bloggers celebrated the so-called “liberation” of the province.", "D3"),
            ("Independent monitors could not confirm any casualties among the foreign troops.", "D4"),
            ("The foreign ministry refused to comment on the treaty.", "D6"),
            ("Trade between the two countries has grown by a third this year.", "D8"),
            ("The ministers signed a new agreement on trade and customs in the capital on Wednesday.", "D8"),
            ("The central bank kept interest rates unchanged.", ""),
            ("A football match between the national teams ended in a draw.", ""),
        ),
        (
            ("Oren Vasko met veterans at a ceremony in the capital on Thursday.", ""),
            ("He said the deployment was his personal decision and he took full responsibility for it.", "D5"),
            ("Vasko said the treaty obliges both countries to help each other if attacked.", "D6"),
            ("The president laid flowers at the graves of soldiers who died in the Tarsk fighting.", "D4 D2"),
            ("A cargo plane crashed near the border, and Marenian officials denied shooting it down.", "D7"),
            ("Aviation experts said engine failure was the most likely cause of the crash.", "D7"),
            ("The ceremony was broadcast live on state television.", ""),
            ("The new season of the national song contest begins next month.", ""),
            ("Farmers in the south reported a record wheat harvest.", ""),
        ),
    )
)

GRID: tuple[float, ...] = tuple(round(0.30 + 0.025 * i, 3) for i in range(17))  # 0.30 .. 0.70


def pair_scores() -> list[tuple[float, bool]]:
    """(similarity, is evidence) for every dev (claim, sentence) pair."""
    from baselines.stance_embed import EmbeddingStance
    from bench.text import sentences

    model = EmbeddingStance()
    out: list[tuple[float, bool]] = []
    for article in DEV_ARTICLES:
        text = " ".join(s for s, _ in article)
        spans = sentences(text)
        assert len(spans) == len(article), "dev sentences must split one-to-one"
        sims = model.similarities(text, spans, DEV_CLAIMS)
        for claim, row in zip(DEV_CLAIMS, sims):
            out.extend((sim, claim.claim_id in ids) for sim, (_, ids) in zip(row, article))
    return out


def sweep(scores: list[tuple[float, bool]]) -> list[tuple[float, float, float, float]]:
    """(threshold, precision, recall, F1) over GRID."""
    rows = []
    for t in GRID:
        tp = sum(1 for s, y in scores if s >= t and y)
        fp = sum(1 for s, y in scores if s >= t and not y)
        fn = sum(1 for s, y in scores if s < t and y)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        rows.append((t, p, r, 2 * p * r / (p + r) if p + r else 0.0))
    return rows


def best_threshold(rows: list[tuple[float, float, float, float]]) -> float:
    return max(rows, key=lambda row: (round(row[3], 6), row[0]))[0]


def main() -> None:
    rows = sweep(pair_scores())
    for t, p, r, f in rows:
        print(f"threshold {t:.3f}  P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    print(f"best threshold: {best_threshold(rows):.3f}")


if __name__ == "__main__":
    main()
