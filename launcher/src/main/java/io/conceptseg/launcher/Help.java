package io.conceptseg.launcher;

/** The text of {@code conceptseg --help}. */
final class Help {
    private Help() {
    }

    static final String TEXT = """
            usage: conceptseg [OPTIONS] COMMAND [ARGS...]

            Runs one ConceptSeg command (a Gogo command of scope cs) in an embedded OSGi framework
            and exits; `shell` opens the interactive Gogo console instead.

            commands:
              backends                  list the inference backends: priority, availability (or why
                                        not), devices, active, loaded stages, last latency
              backend [use] ID|auto     select the backend for new requests; the choice is kept
                                        (ConfigAdmin, ~/.cache/conceptseg/config) for later runs
              models                    list the installed model packages, default first
              segment [--out DIR] [--threshold T] [--backend ID] [--model ID] IMAGE PHRASE...
                                        find every instance of each phrase; prints one line per
                                        detection; with --out writes IMAGE.json (COCO) and IMAGE.png
              predict --out FILE [--threshold T] [--backend ID] [--model ID] DATASET_DIR
                                        COCO results for every (image, phrase) pair of an SA-Co data set
              bench [--runs N] [--warmup N] [--backend ID] [--model ID] IMAGE PHRASE...
                                        per-stage p50/p95, pipeline vs direct latency, overhead ratio
              bench --backends ID,ID|all [--baseline ID] [--runs N] [--warmup N] IMAGE PHRASE...
                                        compare backends at 1 and 10 prompts: p50/p95, images/s,
                                        overhead, p50 relative to the baseline
              eval [--out REPORT_DIR] [--predictions FILE] [--threshold T] [--backend ID] [--model ID]
                   [--held-out "copper gear,blue screw"] [--no-paraphrases] DATASET_DIR
                                        SA-Co metrics (cgF1, pmF1, IL_MCC, ...) on a data set; with
                                        --out writes metrics.json, report.html, predictions.json
              shell                     the interactive console (cs:segment ..., help cs:segment, lb)
              NAME ARGS...              any other command a bundle registers in scope cs

              Quote phrases of several words: conceptseg segment part.png washer "rust spot"

            options (before COMMAND):
              --model-dir DIR           also load the model package in DIR (a folder with model.json;
                                        repeatable); CONCEPTSEG_MODEL_DIR adds folders too (':'-separated).
                                        A folder's model becomes the default over the embedded one
              --wait SECONDS            how long to wait for the pipeline's services (default 30)
              --timeout SECONDS         stop and exit 124 after this long (default 3600)
              --debug                   stack traces and framework diagnostics (also -Dconceptseg.debug=true)
              -h, --help                this text

            exit status: 0 done, 1 the command failed, 2 wrong arguments, 3 the pipeline or a needed
            service did not start, 124 timed out.
            """;
}
