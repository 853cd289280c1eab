//! `--loss` and `--labels`: which estimator and which label channel (SPEC §5.5).

use clap::ValueEnum;
use dsrf::theory::{Labels, Loss};

/// The per-sample loss of the estimator Σℓ(y, wᵀφ) + (λ_c/2)‖w‖².
#[derive(Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum LossFlag {
    /// ½(y − ŷ)²: ridge (Theorem 3.1 with linear labels).
    #[default]
    Square,
    /// log(1 + e^{−yŷ}): logistic regression (labels ±1).
    Logistic,
    /// max(0, 1 − yŷ): the soft-margin SVM (labels ±1).
    Hinge,
}

impl LossFlag {
    pub fn loss(self) -> Loss {
        match self {
            LossFlag::Square => Loss::Square,
            LossFlag::Logistic => Loss::Logistic,
            LossFlag::Hinge => Loss::Hinge,
        }
    }
}

/// How the labels depend on the teacher field ν the problem describes.
#[derive(Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum LabelsFlag {
    /// y = ν + ε (regression).
    #[default]
    Linear,
    /// y = sign(ν + ε), flipped with probability --flip.
    Sign,
}

impl LabelsFlag {
    pub fn labels(self, flip: f64) -> Labels {
        match self {
            LabelsFlag::Linear => Labels::Linear,
            LabelsFlag::Sign => Labels::Sign { flip },
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LabelsFlag::Linear => "linear",
            LabelsFlag::Sign => "sign",
        }
    }
}
