package io.conceptseg.shell;

import java.util.Map;

/** The one-line usage of each command, printed when Gogo cannot map the arguments. */
final class Usage {
    private static final Map<String, String> LINES = Map.of(
            "backends", "backends",
            "backend", "backend ID|auto",
            "models", "models",
            "segment", "segment [--out DIR] [--threshold T] [--backend ID] [--model ID] IMAGE PHRASE...",
            "predict", "predict --out FILE [--threshold T] [--backend ID] [--model ID] DATASET_DIR",
            "bench", "bench [--runs N] [--warmup N] [--backend ID | --backends ID,ID|all [--baseline ID]] [--model ID] IMAGE PHRASE...",
            "eval", EvalCommands.USAGE);

    private Usage() {
    }

    static String of(String function) {
        return LINES.getOrDefault(function, function + " ...  (see help cs:" + function + " in ./conceptseg shell)");
    }
}
