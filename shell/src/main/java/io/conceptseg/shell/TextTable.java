package io.conceptseg.shell;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table with left-aligned, space-padded columns, for terminals and for
 * line-oriented tools (grep, awk) alike: one row per line, no borders.
 */
final class TextTable {
    private static final String GAP = "  ";
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    TextTable(String... header) {
        this.header = header.clone();
    }

    /** Adds a row; null cells print as "-", missing trailing cells as empty. */
    TextTable row(Object... cells) {
        if (cells.length > header.length) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + header.length + " columns");
        }
        String[] row = new String[header.length];
        Arrays.fill(row, "");
        for (int i = 0; i < cells.length; i++) {
            row[i] = cells[i] == null ? "-" : cells[i].toString();
        }
        rows.add(row);
        return this;
    }

    int size() {
        return rows.size();
    }

    @Override
    public String toString() {
        int[] widths = new int[header.length];
        for (int c = 0; c < header.length; c++) {
            widths[c] = header[c].length();
            for (String[] row : rows) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        append(out, header, widths);
        for (String[] row : rows) {
            append(out, row, widths);
        }
        return out.toString();
    }

    private static void append(StringBuilder out, String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            line.append(cells[c]);
            if (c < cells.length - 1) {
                line.append(" ".repeat(widths[c] - cells[c].length())).append(GAP);
            }
        }
        // trailing blanks of empty last cells would only confuse diff and grep
        out.append(line.toString().stripTrailing()).append('\n');
    }
}
