//! Traces of products without forming the product.

use faer::MatRef;

use crate::LinalgError;

/// Tr(A B) = Σⱼ (row j of A)·(column j of B), in O(pq) instead of a full product.
pub fn trace_of_product(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Result<f64, LinalgError> {
    if a.ncols() != b.nrows() || a.nrows() != b.ncols() {
        return Err(LinalgError::ShapeMismatch(format!(
            "Tr(AB) needs A m×k and B k×m, got A {}×{} and B {}×{}",
            a.nrows(),
            a.ncols(),
            b.nrows(),
            b.ncols()
        )));
    }
    Ok((0..a.nrows()).map(|j| a.row(j) * b.col(j)).sum())
}

/// The normalised trace ⟨A⟩ = Tr(A)/N of an N × N matrix (0 for N = 0).
pub fn normalized_trace(a: MatRef<'_, f64>) -> Result<f64, LinalgError> {
    if a.nrows() != a.ncols() {
        return Err(LinalgError::NotSquare {
            rows: a.nrows(),
            cols: a.ncols(),
        });
    }
    let n = a.nrows();
    if n == 0 {
        return Ok(0.0);
    }
    Ok((0..n).map(|i| a[(i, i)]).sum::<f64>() / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    #[test]
    fn trace_of_product_matches_the_product() {
        let a = Mat::from_fn(3, 5, |i, j| (i + 2 * j) as f64 - 3.0);
        let b = Mat::from_fn(5, 3, |i, j| (3 * i) as f64 - j as f64);
        let full = &a * &b;
        let want: f64 = (0..3).map(|i| full[(i, i)]).sum();
        assert_eq!(trace_of_product(a.as_ref(), b.as_ref()).unwrap(), want);
        assert!(trace_of_product(a.as_ref(), a.as_ref()).is_err());
    }

    #[test]
    fn normalized_trace_is_the_mean_diagonal() {
        let a = Mat::from_fn(4, 4, |i, j| if i == j { i as f64 } else { 9.0 });
        assert_eq!(normalized_trace(a.as_ref()).unwrap(), 1.5);
        assert!(normalized_trace(Mat::<f64>::zeros(2, 3).as_ref()).is_err());
    }
}
