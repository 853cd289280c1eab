use faer::MatRef;

use crate::LinalgError;

/// Checks that `a` is square, finite and symmetric up to `relative_tolerance`
/// (measured against the largest absolute entry).
///
/// The check is element-wise (O(p²)), so it is cheap next to any decomposition.
pub fn check_symmetric(a: MatRef<'_, f64>, relative_tolerance: f64) -> Result<(), LinalgError> {
    check_square_finite(a)?;
    let n = a.nrows();
    let mut largest = 0.0f64;
    for j in 0..n {
        for i in 0..n {
            largest = largest.max(a[(i, j)].abs());
        }
    }
    let tolerance = relative_tolerance * largest;
    let mut worst = (0usize, 0usize, 0.0f64);
    for j in 0..n {
        for i in (j + 1)..n {
            let d = (a[(i, j)] - a[(j, i)]).abs();
            if d > worst.2 {
                worst = (i, j, d);
            }
        }
    }
    if worst.2 > tolerance {
        return Err(LinalgError::NotSymmetric {
            row: worst.0,
            col: worst.1,
            difference: worst.2,
            tolerance,
        });
    }
    Ok(())
}

pub(crate) fn check_square_finite(a: MatRef<'_, f64>) -> Result<(), LinalgError> {
    if a.nrows() != a.ncols() {
        return Err(LinalgError::NotSquare {
            rows: a.nrows(),
            cols: a.ncols(),
        });
    }
    check_finite(a)
}

pub(crate) fn check_finite(a: MatRef<'_, f64>) -> Result<(), LinalgError> {
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            let value = a[(i, j)];
            if !value.is_finite() {
                return Err(LinalgError::NonFinite {
                    row: i,
                    col: j,
                    value,
                });
            }
        }
    }
    Ok(())
}

pub(crate) fn check_finite_slice(v: &[f64]) -> Result<(), LinalgError> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(row) => Err(LinalgError::NonFinite {
            row,
            col: 0,
            value: v[row],
        }),
        None => Ok(()),
    }
}
