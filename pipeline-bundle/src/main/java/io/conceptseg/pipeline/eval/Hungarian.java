package io.conceptseg.pipeline.eval;

import java.util.Arrays;

/**
 * Optimal one-to-one assignment (Kuhn-Munkres with potentials, O(n^2 m)) for the small matrices of
 * one (image, phrase) pair: the same matching as SciPy's {@code linear_sum_assignment(-iou)} in the
 * SA-Co reference evaluator, so every row is assigned when there are at least as many columns.
 */
final class Hungarian {
    private Hungarian() {
    }

    /**
     * Assigns rows to columns maximising the total weight; min(rows, columns) rows get a column.
     *
     * @param weight rectangular matrix {@code weight[row][column]}, finite values
     * @return for each row its column, or -1 when it got none
     */
    static int[] maximise(double[][] weight) {
        int rows = weight.length;
        int cols = rows == 0 ? 0 : weight[0].length;
        int[] rowToCol = new int[rows];
        Arrays.fill(rowToCol, -1);
        if (rows == 0 || cols == 0) {
            return rowToCol;
        }
        if (rows <= cols) {
            double[][] cost = new double[rows][cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    cost[r][c] = -weight[r][c];
                }
            }
            return minimise(cost, rows, cols);
        }
        // more rows than columns: solve the transpose, then invert the assignment
        double[][] cost = new double[cols][rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                cost[c][r] = -weight[r][c];
            }
        }
        int[] colToRow = minimise(cost, cols, rows);
        for (int c = 0; c < cols; c++) {
            rowToCol[colToRow[c]] = c;
        }
        return rowToCol;
    }

    /** Minimum-cost assignment of every one of n rows to distinct columns among m >= n. */
    private static int[] minimise(double[][] a, int n, int m) {
        double[] u = new double[n + 1];
        double[] v = new double[m + 1];
        int[] p = new int[m + 1];   // p[j]: row (1-based) assigned to column j, 0 = none
        int[] way = new int[m + 1];
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            double[] minv = new double[m + 1];
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            boolean[] used = new boolean[m + 1];
            do {
                used[j0] = true;
                int i0 = p[j0];
                double delta = Double.POSITIVE_INFINITY;
                int j1 = 0;
                for (int j = 1; j <= m; j++) {
                    if (!used[j]) {
                        double cur = a[i0 - 1][j - 1] - u[i0] - v[j];
                        if (cur < minv[j]) {
                            minv[j] = cur;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= m; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] rowToCol = new int[n];
        for (int j = 1; j <= m; j++) {
            if (p[j] != 0) {
                rowToCol[p[j] - 1] = j - 1;
            }
        }
        return rowToCol;
    }
}
