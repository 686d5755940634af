/*
 * spline.c - the cubic B-spline through a SPLINE's fit points.
 *
 * A SPLINE stored with fit points only is the curve AutoCAD, BricsCAD and
 * ezdxf build from them: degree 3, chord-length parametrisation, "natural"
 * knots (the interior parameters), and the first derivative prescribed at
 * both ends (global interpolation with end derivatives, Piegl & Tiller
 * 9.2.2).  The end derivatives are the stored tangents (codes 12 and 13)
 * or, without them, the 5-point estimate ezdxf uses, scaled in both cases
 * to the total chord length.  The result has nfit + 2 control points.
 *
 * The collocation system is banded (at most 4 nonzeros a row) and solved
 * by band elimination in O(n); a zero pivot means the points do not define
 * a curve (e.g. all equal) and the caller leaves the SPLINE out.
 */
#include "dxf_int.h"

#include <math.h>
#include <string.h>

#define KL 3
#define KU 3
#define BW (KL + KU + 1)

/* The four nonzero cubic basis functions at u; returns the first index. */
static size_t basis(const double *U, size_t m, double u, double N[4])
{
    size_t span;
    if (u >= U[m])
        span = m - 1;
    else {
        size_t lo = 3, hi = m;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (u < U[mid])
                hi = mid;
            else
                lo = mid;
        }
        span = lo;
    }
    double left[4], right[4];
    N[0] = 1.0;
    for (int j = 1; j <= 3; j++) {
        left[j] = u - U[span + 1 - (size_t)j];
        right[j] = U[span + (size_t)j] - u;
        double saved = 0.0;
        for (int r = 0; r < j; r++) {
            double den = right[r + 1] + left[j - r];
            double tmp = den != 0 ? N[r] / den : 0.0;
            N[r] = saved + right[r + 1] * tmp;
            saved = left[j - r] * tmp;
        }
        N[j] = saved;
    }
    return span - 3;
}

static void unit_scaled(const double *v, double len, double *out)
{
    double l = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    for (int i = 0; i < 3; i++)
        out[i] = l > 0 ? v[i] / l * len : 0;
}

static double cross_len(const double *a, const double *b)
{
    double x = a[1] * b[2] - a[2] * b[1], y = a[2] * b[0] - a[0] * b[2],
           z = a[0] * b[1] - a[1] * b[0];
    return sqrt(x * x + y * y + z * z);
}

/* ezdxf's 5-point tangent at fit point k (0 or n-1) from the differences
 * q (index shifted by one so that q[-1] is representable). */
static void tangent5(const double *p, size_t n, size_t k, double *out)
{
    /* q[j] for j = -1 .. n+1 stored at Q[j + 1] */
    double Q[6][3];
    /* we only need q[k-1 .. k+2]: build them on demand */
    for (int jj = 0; jj < 4; jj++) {
        long j = (long)k - 1 + jj;
        double *o = Q[jj];
        long nn = (long)n;
        if (j >= 1 && j <= nn - 1) {
            for (int c = 0; c < 3; c++)
                o[c] = p[3 * j + c] - p[3 * (j - 1) + c];
            continue;
        }
        /* the extrapolated differences of ezdxf's _delta_q */
        double q1[3], q2[3], qn1[3], qn2[3];
        for (int c = 0; c < 3; c++) {
            q1[c] = p[3 + c] - p[c];
            q2[c] = p[6 + c] - p[3 + c];
            qn1[c] = p[3 * (nn - 1) + c] - p[3 * (nn - 2) + c];
            qn2[c] = p[3 * (nn - 2) + c] - p[3 * (nn - 3) + c];
        }
        for (int c = 0; c < 3; c++) {
            double q0 = 2 * q1[c] - q2[c];
            double qn = 2 * qn1[c] - qn2[c];
            if (j == 0)
                o[c] = q0;
            else if (j == -1)
                o[c] = 2 * q0 - q1[c];
            else if (j == nn)
                o[c] = qn;
            else
                o[c] = 2 * qn - qn1[c];
        }
    }
    double v1 = cross_len(Q[0], Q[1]), v2 = cross_len(Q[2], Q[3]);
    double al = v1 + v2 > 0 ? v1 / (v1 + v2) : 0.5;
    for (int c = 0; c < 3; c++)
        out[c] = (1 - al) * Q[1][c] + al * Q[2][c];
}

int dxf_fit_spline(struct arena *a, const double *fit, size_t nfit, const double *t0,
                   const double *t1, double **cp, size_t *ncp, double **knots)
{
    if (nfit < 2 || nfit > SIZE_MAX / 64)
        return -1;
    size_t m = nfit + 2;
    double *t = arena_alloc(a, nfit * sizeof *t);
    double *U = arena_alloc(a, (m + 4) * sizeof *U);
    double *A = arena_calloc(a, m * BW, sizeof *A);
    double *B = arena_alloc(a, m * 3 * sizeof *B);
    if (!t || !U || !A || !B)
        return -1;
    double total = 0;
    t[0] = 0;
    for (size_t i = 1; i < nfit; i++) {
        const double *p = fit + 3 * i, *q = fit + 3 * (i - 1);
        total += sqrt((p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) +
                      (p[2] - q[2]) * (p[2] - q[2]));
        t[i] = total;
    }
    if (!(total > 0) || !isfinite(total))
        return -1;
    for (size_t i = 1; i < nfit; i++)
        t[i] /= total;
    t[nfit - 1] = 1.0;
    for (size_t i = 0; i < 4; i++) {
        U[i] = 0.0;
        U[m + i] = 1.0;
    }
    for (size_t i = 1; i + 1 < nfit; i++)
        U[3 + i] = t[i];
    double d0[3], d1[3];
    if (t0 && t1) {
        unit_scaled(t0, total, d0);
        unit_scaled(t1, total, d1);
    } else if (nfit == 2) {
        double ch[3] = {fit[3] - fit[0], fit[4] - fit[1], fit[5] - fit[2]};
        unit_scaled(ch, total, d0);
        unit_scaled(ch, total, d1);
    } else {
        double v[3];
        tangent5(fit, nfit, 0, v);
        unit_scaled(v, total, d0);
        tangent5(fit, nfit, nfit - 1, v);
        unit_scaled(v, total, d1);
    }
    /* rows: N(t0), start derivative, N(t1) .. N(t_{n-2}), end derivative, N(t_{n-1}) */
    double k0 = U[4] / 3.0, k1 = (1.0 - U[m - 1]) / 3.0;
    for (size_t row = 0; row < m; row++) {
        double *ar = A + row * BW, *b = B + 3 * row;
        if (row == 1 || row == m - 2) {
            size_t c0 = row == 1 ? 0 : m - 2;
            ar[c0 + KL - row] = -1.0;
            ar[c0 + 1 + KL - row] = 1.0;
            for (int c = 0; c < 3; c++)
                b[c] = row == 1 ? d0[c] * k0 : d1[c] * k1;
            continue;
        }
        size_t fi = row == 0 ? 0 : row == m - 1 ? nfit - 1 : row - 1;
        double N[4];
        size_t first = basis(U, m, t[fi], N);
        for (size_t j = 0; j < 4; j++) {
            size_t col = first + j;
            if (N[j] == 0.0)
                continue;
            if (col + KL < row || col > row + KU)
                return -1;
            ar[col + KL - row] = N[j];
        }
        memcpy(b, fit + 3 * fi, 3 * sizeof *b);
    }
    /* band elimination without pivoting (collocation matrices allow it) */
    for (size_t k = 0; k < m; k++) {
        double piv = A[k * BW + KL];
        if (!(fabs(piv) > 1e-300))
            return -1;
        for (size_t i = k + 1; i < m && i <= k + KL; i++) {
            double f = A[i * BW + (k + KL - i)] / piv;
            if (f == 0.0)
                continue;
            for (size_t j = k; j < m && j <= k + KU; j++)
                A[i * BW + (j + KL - i)] -= f * A[k * BW + (j + KL - k)];
            for (int c = 0; c < 3; c++)
                B[3 * i + c] -= f * B[3 * k + c];
        }
    }
    for (size_t k = m; k-- > 0;) {
        for (size_t j = k + 1; j < m && j <= k + KU; j++)
            for (int c = 0; c < 3; c++)
                B[3 * k + c] -= A[k * BW + (j + KL - k)] * B[3 * j + c];
        for (int c = 0; c < 3; c++)
            B[3 * k + c] /= A[k * BW + KL];
    }
    for (size_t i = 0; i < 3 * m; i++)
        if (!isfinite(B[i]))
            return -1;
    *cp = B;
    *ncp = m;
    *knots = U;
    return 0;
}
