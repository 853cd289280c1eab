//! Blocked Householder reduction of a symmetric matrix to tridiagonal form: LAPACK's
//! `dsytrd`/`dlatrd` scheme for the lower triangle, on faer products.
//!
//! The unblocked reduction (faer's) applies every reflector to the trailing matrix at
//! once, a rank-2 update that reads *and writes* the whole trailing triangle per
//! column; at p = 2000 that triangle no longer fits in the cache and the reduction is
//! bound by memory traffic. The blocked scheme defers the updates of a panel of
//! [`PANEL`] columns: while the panel is reduced the trailing matrix is only *read*
//! (one symmetric product per column, [`symv_lower`]), and the panel's reflectors V
//! and their images W are applied at the end as one rank-2·[`PANEL`] update
//! A ← A − V Wᵀ − W Vᵀ, a matrix product that runs at cache speed.
//!
//! Reflector k acts on rows k+1.. only, so the first basis vector is never touched —
//! the invariant `projected_spectrum` needs (Q e₁ = e₁).

use faer::linalg::householder::make_householder_in_place;
use faer::linalg::matmul::dot::inner_prod;
use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::{Accum, Conj, Mat, MatMut, Par};

use crate::symv::{SymvScratch, symv_lower};

/// Reflectors per panel. The rank-2·32 trailing update already runs near the speed of
/// faer's matrix product, while the per-column corrections inside a panel grow with its
/// width (O(m·PANEL) each); 32 was the fastest of 16, 32, 48 and 64 at p = 2000 and
/// is LAPACK's default too.
pub(crate) const PANEL: usize = 32;

/// Tridiagonalises the symmetric matrix whose lower triangle is `a` (the upper one is
/// neither read nor kept); returns (diagonal, off-diagonal) with `off[i]` coupling rows
/// i and i+1 and a final 0, as the QL iteration expects.
pub(crate) fn tridiagonalise_blocked(mut a: Mat<f64>) -> (Vec<f64>, Vec<f64>) {
    let n = a.nrows();
    let mut diag = vec![0.0; n];
    let mut off = vec![0.0; n];
    if n <= 1 {
        diag.iter_mut().enumerate().for_each(|(i, d)| *d = a[(i, i)]);
        return (diag, off);
    }
    let par = crate::fixed_parallelism();
    let mut ws = PanelWork::new(n);
    let mut k0 = 0;
    while k0 + 1 < n {
        let m = n - k0;
        let b = PANEL.min(m - 1);
        let s = a.as_mut().submatrix_mut(k0, k0, m, m);
        reduce_panel(s, b, &mut ws, &mut diag[k0..k0 + b], &mut off[k0..k0 + b], par);
        let s = a.as_mut().submatrix_mut(k0, k0, m, m);
        update_trailing(s, b, &mut ws, par);
        k0 += b;
    }
    diag[n - 1] = a[(n - 1, n - 1)];
    (diag, off)
}

/// Workspace of one panel, allocated once for the largest (first) panel.
struct PanelWork {
    /// W: column i is the image of reflector i (see [`reflector_image`]).
    w: Mat<f64>,
    /// [V W] and [W V] for the trailing update (one product instead of two).
    vw: Mat<f64>,
    wv: Mat<f64>,
    /// Vᵀu or Wᵀu inside the panel.
    small: Mat<f64>,
    symv: SymvScratch,
}

impl PanelWork {
    fn new(n: usize) -> Self {
        Self {
            w: Mat::zeros(n, PANEL),
            vw: Mat::zeros(n, 2 * PANEL),
            wv: Mat::zeros(n, 2 * PANEL),
            small: Mat::zeros(PANEL, 1),
            symv: SymvScratch::new(n),
        }
    }
}

/// Reduces the first `b` columns of the trailing block `s` (m × m, lower triangle,
/// `b` < m) without updating columns b..: writes their diagonal and off-diagonal,
/// leaves reflector i as `s[i+1.., i]` (with an explicit leading 1) and its image in
/// column i of `ws.w`. This is LAPACK's `dlatrd` with uplo = 'L'.
fn reduce_panel(
    mut s: MatMut<'_, f64>,
    b: usize,
    ws: &mut PanelWork,
    diag: &mut [f64],
    off: &mut [f64],
    par: Par,
) {
    let m = s.nrows();
    for i in 0..b {
        let t = {
            let (done, rest) = s.rb_mut().split_at_col_mut(i);
            let mut col = rest.col_mut(0);
            // Bring column i up to date with the panel's earlier reflectors:
            // A[i.., i] −= V[i.., :i] W[i, :i]ᵀ + W[i.., :i] V[i, :i]ᵀ.
            if i > 0 {
                let v = done.rb().subrows(i, m - i);
                let w = ws.w.as_ref().submatrix(i, 0, m - i, i);
                let mut target = col.rb_mut().subrows_mut(i, m - i).as_mat_mut();
                matmul(target.rb_mut(), Accum::Add, v, w.row(0).transpose().as_mat(), -1.0, par);
                matmul(target.rb_mut(), Accum::Add, w, v.row(0).transpose().as_mat(), -1.0, par);
            }
            diag[i] = col[i];
            // H = I − u uᵀ/τ with u = (1, tail) maps A[i+1.., i] to (β, 0, …).
            let (mut head, tail) = col.subrows_mut(i + 1, m - i - 1).split_at_row_mut(1);
            let info = make_householder_in_place(&mut head[0], tail);
            off[i] = head[0];
            head[0] = 1.0;
            // faer reports τ = ∞ when the column is already reduced (H = I).
            if info.tau.is_finite() { info.tau.recip() } else { 0.0 }
        };
        reflector_image(s.rb_mut(), i, t, ws, par);
    }
}

/// Column i of W for reflector u = s[i+1.., i] and t = 2/‖u‖²:
/// w = t (Â u) − ½ t² (uᵀÂu) u, with Â the trailing block as the panel's earlier
/// reflectors have made it, Â = A − V Wᵀ − W Vᵀ, applied without forming it.
fn reflector_image(s: MatMut<'_, f64>, i: usize, t: f64, ws: &mut PanelWork, par: Par) {
    let m = s.nrows();
    let q = m - i - 1;
    let s = s.into_const();
    let u = s.col(i).subrows(i + 1, q);
    let (w_done, w_rest) = ws.w.as_mut().split_at_col_mut(i);
    let mut w = w_rest.col_mut(0).subrows_mut(i + 1, q);
    if t == 0.0 {
        w.fill(0.0);
        return;
    }
    let y = w
        .rb_mut()
        .try_as_col_major_mut()
        .expect("W is column-major")
        .as_slice_mut();
    let x = u.try_as_col_major().expect("the work matrix is column-major").as_slice();
    symv_lower(s.submatrix(i + 1, i + 1, q, q), x, y, &mut ws.symv, par);
    if i > 0 {
        let v = s.submatrix(i + 1, 0, q, i);
        let w_old = w_done.rb().subrows(i + 1, q);
        let mut small = ws.small.as_mut().subrows_mut(0, i);
        // y −= V (Wᵀu) + W (Vᵀu).
        matmul(small.rb_mut(), Accum::Replace, w_old.transpose(), u.as_mat(), 1.0, par);
        matmul(w.rb_mut().as_mat_mut(), Accum::Add, v, small.rb(), -1.0, par);
        matmul(small.rb_mut(), Accum::Replace, v.transpose(), u.as_mat(), 1.0, par);
        matmul(w.rb_mut().as_mat_mut(), Accum::Add, w_old, small.rb(), -1.0, par);
    }
    w.iter_mut().for_each(|x| *x *= t);
    let alpha = -0.5 * t * inner_prod(w.rb().transpose(), Conj::No, u, Conj::No);
    w.iter_mut().zip(u.iter()).for_each(|(x, ui)| *x += alpha * ui);
}

/// A[b.., b..] −= V Wᵀ + W Vᵀ on the lower triangle, V = s[b.., :b] and W = the panel's
/// images: one product [V W]·[W V]ᵀ of inner dimension 2b.
fn update_trailing(mut s: MatMut<'_, f64>, b: usize, ws: &mut PanelWork, par: Par) {
    let m = s.nrows();
    let r = m - b;
    let v = s.rb().submatrix(b, 0, r, b);
    let w = ws.w.as_ref().submatrix(b, 0, r, b);
    let mut vw = ws.vw.as_mut().submatrix_mut(0, 0, r, 2 * b);
    let mut wv = ws.wv.as_mut().submatrix_mut(0, 0, r, 2 * b);
    vw.rb_mut().subcols_mut(0, b).copy_from(v);
    vw.rb_mut().subcols_mut(b, b).copy_from(w);
    wv.rb_mut().subcols_mut(0, b).copy_from(w);
    wv.rb_mut().subcols_mut(b, b).copy_from(v);
    triangular::matmul(
        s.submatrix_mut(b, b, r, r),
        BlockStructure::TriangularLower,
        Accum::Add,
        vw.rb(),
        BlockStructure::Rectangular,
        wv.rb().transpose(),
        BlockStructure::Rectangular,
        -1.0,
        par,
    );
}
