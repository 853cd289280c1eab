//! Conjecture 4.3 by brute force: the linearised Ω, Φ, Ψ of a Figure-1-like rainbow
//! network (paper §4, App. C.1) against covariances estimated from 10⁵ samples, at two
//! widths. The linearisation error is O(1) in Frobenius norm while the matrices grow like
//! √d, so the relative error must be small and must shrink when d doubles.
//!
//! The Monte-Carlo noise of the estimate (≈ √(d/N) relative) is of the same order as
//! the effect, so it is measured by splitting the sample in halves and removed:
//! E‖Ω̂ − Ω^lin‖² = ‖Ω − Ω^lin‖² + E‖Ω̂ − Ω‖², and E‖Ω̂ − Ω‖² ≈ ‖Ω̂_A − Ω̂_B‖²/4.

use dsrf::presets::figure1_rainbow;
use dsrf::rainbow::{Mat, NetworkSpec, VarianceConvention, forward, linearized_covariances};
use faer::linalg::matmul::matmul;
use faer::{Accum, Par};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

const SAMPLES: usize = 100_000;
const CHUNK: usize = 5_000;

/// The paper's Figure 1 network with γ = 0.5 at input dimension d (all widths d).
fn figure1(d: usize, seed: u64) -> NetworkSpec {
    figure1_rainbow(seed, d, 0.5)
}

/// Accumulates A Bᵀ over chunks, separately for the two halves of the sample.
struct Moment {
    halves: [Mat<f64>; 2],
}

impl Moment {
    fn new(rows: usize, cols: usize) -> Self {
        Self {
            halves: [Mat::zeros(rows, cols), Mat::zeros(rows, cols)],
        }
    }
    fn add(&mut self, half: usize, a: &Mat<f64>, b: &Mat<f64>) {
        matmul(
            self.halves[half].as_mut(),
            Accum::Add,
            a.as_ref(),
            b.transpose(),
            1.0 / SAMPLES as f64,
            Par::rayon(0),
        );
    }
    /// Relative linearisation error with the Monte-Carlo noise removed, and the noise.
    fn relative_error(&self, linear: &Mat<f64>) -> (f64, f64) {
        let (a, b) = (&self.halves[0], &self.halves[1]);
        let (mut diff2, mut noise2, mut norm2) = (0.0, 0.0, 0.0);
        for i in 0..a.nrows() {
            for j in 0..a.ncols() {
                let estimate = a[(i, j)] + b[(i, j)];
                diff2 += (estimate - linear[(i, j)]).powi(2);
                noise2 += (a[(i, j)] - b[(i, j)]).powi(2); // halves are already scaled by 1/N
                norm2 += linear[(i, j)].powi(2);
            }
        }
        (
            ((diff2 - noise2).max(0.0) / norm2).sqrt(),
            (noise2 / norm2).sqrt(),
        )
    }
}

fn errors(d: usize) -> [(f64, f64); 3] {
    let net = figure1(d, 2024).sample().unwrap();
    let lin = linearized_covariances(
        net.omega0.as_ref(),
        &net.learner,
        &net.target,
        VarianceConvention::Averaged,
    )
    .unwrap();
    let (mut omega, mut phi, mut psi) = (Moment::new(d, d), Moment::new(d, d), Moment::new(d, d));
    let mut rng = ChaCha8Rng::seed_from_u64(7 + d as u64);
    for c in 0..SAMPLES / CHUNK {
        let x = Mat::<f64>::from_fn(d, CHUNK, |_, _| StandardNormal.sample(&mut rng));
        let features = forward(&net.learner, &x, Par::rayon(0));
        let target = forward(&net.target, &x, Par::rayon(0));
        let half = c % 2;
        omega.add(half, &features, &features);
        phi.add(half, &features, &target);
        psi.add(half, &target, &target);
    }
    [
        omega.relative_error(&lin.omega),
        phi.relative_error(&lin.phi),
        psi.relative_error(&lin.psi),
    ]
}

#[test]
fn linearised_covariances_match_monte_carlo_and_improve_with_width() {
    let small = errors(150);
    let large = errors(300);
    let names = ["Ω", "Φ", "Ψ"];
    let report: String = (0..3)
        .map(|k| {
            format!(
                "{}: d=150 {:.4} (noise {:.4}), d=300 {:.4} (noise {:.4})\n",
                names[k], small[k].0, small[k].1, large[k].0, large[k].1
            )
        })
        .collect();
    eprintln!("{report}");
    for k in 0..3 {
        assert!(large[k].0 < 0.05, "{report}");
        assert!(large[k].0 < small[k].0, "{report}");
    }
}
