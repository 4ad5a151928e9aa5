package io.conceptseg.launcher;

/**
 * In which order the launcher starts the distribution's bundles: framework services first
 * (Declarative Services, Config Admin, Gogo runtime), then the ConceptSeg bundles, then the shell
 * bundle, whose command runner then finds everything else already started; the console bundles
 * only for {@code shell}, so a one-shot command never touches the terminal.
 */
final class StartOrder {
    /** Not started. */
    static final int NEVER = -1;
    static final String SHELL_BUNDLE = "io.conceptseg.shell";
    static final String SCR_BUNDLE = "org.apache.felix.scr";

    /** Start levels used: one per rank. */
    static final int LEVELS = 4;

    private StartOrder() {
    }

    /** The start level of a started bundle: its rank + 1 (level 0 is the system bundle's). */
    static int level(String symbolicName, boolean interactive) {
        return Math.max(1, rank(symbolicName, interactive) + 1);
    }

    static int rank(String symbolicName, boolean interactive) {
        if (symbolicName == null) {
            return NEVER;
        }
        if (symbolicName.equals("org.apache.felix.gogo.jline") || symbolicName.startsWith("org.jline")) {
            return interactive ? 3 : NEVER;
        }
        if (symbolicName.equals(SHELL_BUNDLE)) {
            return 2;
        }
        if (symbolicName.startsWith("io.conceptseg.")) {
            return 1;
        }
        return 0;
    }
}
