package io.conceptseg.pipeline.eval;

/** The kinds of concept phrase the report breaks down by, in report order. */
enum ConceptKind {
    PART("part"),
    FINISH_PART("finish+part"),
    DEFECT("defect"),
    GROUP("group"),
    /** A phrase outside the inspection vocabulary (a data set from elsewhere); scored, never probed. */
    OTHER("other");

    private final String label;

    ConceptKind(String label) {
        this.label = label;
    }

    /** The name used in metrics.json, the HTML report and the shell. */
    String label() {
        return label;
    }
}
