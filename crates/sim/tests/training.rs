//! Training: gradients against finite differences, the optimizers against closed forms,
//! loss reduction on a learnable target, early stopping and snapshots.

use dsrf_rainbow::{Activation, Layer};
use dsrf_sim::{
    Initialization, Optimizer, Precision, TrainableNetwork, TrainingConfig, log_spaced_steps,
    standard_normal, stream, train,
};
use faer::{Mat, Par};

fn small_network(seed: u64) -> TrainableNetwork {
    let mut rng = stream(seed, 0);
    TrainableNetwork::new(
        5,
        &[
            (4, Activation::Tanh),
            (3, Activation::Erf),
            (3, Activation::Sigmoid),
        ],
        Initialization::Gaussian,
        &mut rng,
    )
    .unwrap()
}

/// Central differences on every parameter of a small network.
#[test]
fn gradient_matches_finite_differences() {
    let network = small_network(1);
    let mut rng = stream(2, 0);
    let x = standard_normal(&mut rng, 5, 7);
    let y: Vec<f64> = (0..7).map(|j| (j as f64 * 0.7).sin()).collect();
    let (loss, gradient) = network.gradient(x.as_ref(), &y, Precision::F64, Par::Seq);
    assert!((loss - network.loss(x.as_ref(), &y, Par::Seq)).abs() < 1e-15);
    let h = 1e-6;
    let mut worst: f64 = 0.0;
    let mut check = |analytic: f64, perturb: &dyn Fn(&mut TrainableNetwork, f64)| {
        let mut plus = network.clone();
        perturb(&mut plus, h);
        let mut minus = network.clone();
        perturb(&mut minus, -h);
        let numeric = (plus.loss(x.as_ref(), &y, Par::Seq) - minus.loss(x.as_ref(), &y, Par::Seq))
            / (2.0 * h);
        worst = worst.max((analytic - numeric).abs() / (1e-3 + numeric.abs()));
    };
    for l in 0..network.layers.len() {
        let (rows, cols) = (
            network.layers[l].weights.nrows(),
            network.layers[l].weights.ncols(),
        );
        for i in 0..rows {
            for j in 0..cols {
                check(gradient.layers[l][(i, j)], &|n, d| {
                    n.layers[l].weights[(i, j)] += d
                });
            }
        }
    }
    for i in 0..network.readout.len() {
        check(gradient.readout[i], &|n, d| n.readout[i] += d);
    }
    assert!(worst < 1e-7, "worst relative gradient error {worst:e}");
}

/// The f32 backward pass against f64 central differences of the f64 loss: the
/// tolerance is f32's, ≈ 10³ ε₃₂ relative (products of a few hundred terms, three
/// layers, each rounded once more when the network is rounded to f32).
#[test]
fn single_precision_gradient_matches_finite_differences() {
    let network = small_network(1);
    let mut rng = stream(2, 0);
    let x = standard_normal(&mut rng, 5, 7);
    let y: Vec<f64> = (0..7).map(|j| (j as f64 * 0.7).sin()).collect();
    let (loss, single) = network.gradient(x.as_ref(), &y, Precision::F32, Par::Seq);
    let (exact_loss, double) = network.gradient(x.as_ref(), &y, Precision::F64, Par::Seq);
    assert!(
        (loss - exact_loss).abs() <= 1e-6 * exact_loss,
        "{loss} vs {exact_loss}"
    );
    let mut worst: f64 = 0.0;
    let mut compare = |a: f64, b: f64| worst = worst.max((a - b).abs() / (1e-3 + b.abs()));
    for (s, d) in single.layers.iter().zip(&double.layers) {
        for j in 0..d.ncols() {
            for i in 0..d.nrows() {
                compare(s[(i, j)], d[(i, j)]);
            }
        }
    }
    for (s, d) in single.readout.iter().zip(&double.readout) {
        compare(*s, *d);
    }
    // The f64 gradient is itself checked against finite differences to 1e-7 above.
    assert!(worst < 1e-4, "worst relative f32 gradient error {worst:e}");
    assert!(
        worst > 0.0,
        "an f32 gradient cannot equal the f64 one exactly"
    );
}

/// A d-16 tanh teacher with Gaussian weights and n inputs with its outputs, all from
/// stream 0 of seed 4; the stream is returned for further draws.
fn tanh_teacher_sample(
    d: usize,
    n: usize,
) -> (
    TrainableNetwork,
    Mat<f64>,
    Vec<f64>,
    rand_chacha::ChaCha8Rng,
) {
    let mut rng = stream(4, 0);
    let teacher = TrainableNetwork::new(
        d,
        &[(16, Activation::Tanh)],
        Initialization::Gaussian,
        &mut rng,
    )
    .unwrap();
    let x = standard_normal(&mut rng, d, n);
    let y = teacher.predict(x.as_ref(), Par::Seq);
    (teacher, x, y, rng)
}

/// The same mini-batch Adam run in f32 and in f64: the loss curves agree to 10⁻³
/// relative over 60 epochs (measured: ≈ 1e-5 on the training losses) — f32 rounding
/// perturbs the trajectory but does not change where it goes.
#[test]
fn single_and_double_precision_trainings_agree() {
    let d = 10;
    let (_, x, y, _) = tanh_teacher_sample(d, 512);
    let student = TrainableNetwork::new(
        d,
        &[(32, Activation::Tanh), (24, Activation::Relu)],
        Initialization::GlorotUniform,
        &mut stream(5, 0),
    )
    .unwrap();
    let run = |precision| {
        let config = TrainingConfig {
            optimizer: Optimizer::adam(1e-3),
            weight_decay: 1e-4,
            batch_size: Some(64),
            epochs: 60,
            patience: None,
            snapshots: 3,
            seed: 6,
            precision,
            parallelism: Par::rayon(2),
        };
        train(student.clone(), x.as_ref(), &y, None, &config).unwrap()
    };
    let (single, double) = (run(Precision::F32), run(Precision::F64));
    let mut worst: f64 = 0.0;
    for (s, d) in single.history.iter().zip(&double.history) {
        worst = worst.max((s.train_loss - d.train_loss).abs() / d.train_loss);
    }
    assert!(worst < 1e-3, "loss curves differ by {worst:e} relative");
    let first = double.history.first().unwrap().train_loss;
    let last = double.history.last().unwrap().train_loss;
    assert!(last < first / 3.0, "the run learns: {first} → {last}");
    // The snapshots are f64 networks holding f32 values.
    for w in single.last().readout.iter() {
        assert_eq!(*w, *w as f32 as f64);
    }
    eprintln!("f32 vs f64 loss curves: worst relative difference {worst:e}");
}

/// `train` with a rayon parallelism moves onto a pool worker when called from outside
/// the pool (`dsrf_linalg::on_pool`); the run is bit for bit the one made inside pools
/// of 1 and 3 threads.
#[test]
fn a_run_from_outside_the_pool_equals_runs_inside_pools() {
    let d = 10;
    let (_, x, y, _) = tanh_teacher_sample(d, 300);
    let student = TrainableNetwork::new(
        d,
        &[(48, Activation::Tanh), (40, Activation::Relu)],
        Initialization::GlorotUniform,
        &mut stream(7, 0),
    )
    .unwrap();
    let config = TrainingConfig {
        optimizer: Optimizer::adam(1e-3),
        weight_decay: 1e-4,
        batch_size: Some(64),
        epochs: 5,
        patience: None,
        snapshots: 0,
        seed: 8,
        precision: Precision::F32,
        parallelism: dsrf_linalg::fixed_parallelism(),
    };
    let bits = |run: dsrf_sim::TrainingRun| -> Vec<u64> {
        let losses = run.history.iter().map(|h| h.train_loss);
        let readout = run.last().readout.iter().copied();
        losses.chain(readout).map(f64::to_bits).collect()
    };
    let run = || bits(train(student.clone(), x.as_ref(), &y, None, &config).unwrap());
    assert!(
        rayon::current_thread_index().is_none(),
        "test threads are not workers"
    );
    let outside = run();
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        assert_eq!(outside, pool.install(run), "{threads} threads");
    }
}

/// Without hidden layers the network is linear, and gradient descent with coupled
/// weight decay wd converges to ridge with λ_c = n·wd/2 (loss (1/n)Σr², penalty
/// (wd/2)‖a‖²) — an exact check of the optimizer and of the decay convention.
#[test]
fn gradient_descent_with_weight_decay_converges_to_ridge() {
    let (d, n) = (6, 40);
    let mut rng = stream(3, 0);
    let x = standard_normal(&mut rng, d, n);
    let y: Vec<f64> = (0..n).map(|j| x[(0, j)] - 0.5 * x[(3, j)] + 0.3).collect();
    let wd = 0.05;
    let ym = Mat::from_fn(n, 1, |j, _| y[j]);
    let (ridge, _) =
        dsrf_linalg::ridge_solve(x.as_ref(), ym.as_ref(), n as f64 * wd / 2.0).unwrap();
    for optimizer in [
        Optimizer::Sgd {
            learning_rate: 0.05,
            momentum: 0.9,
        },
        Optimizer::Sgd {
            learning_rate: 0.2,
            momentum: 0.0,
        },
    ] {
        let linear = TrainableNetwork {
            layers: Vec::new(),
            readout: vec![0.0; d],
        };
        let config = TrainingConfig {
            optimizer,
            weight_decay: wd,
            batch_size: None,
            epochs: 3000,
            patience: None,
            snapshots: 0,
            seed: 0,
            precision: Precision::F64,
            parallelism: Par::Seq,
        };
        let run = train(linear, x.as_ref(), &y, None, &config).unwrap();
        for i in 0..d {
            assert!(
                (run.last().readout[i] - ridge[(i, 0)]).abs() < 1e-10,
                "{optimizer:?}: coordinate {i}: {} vs {}",
                run.last().readout[i],
                ridge[(i, 0)]
            );
        }
    }
}

/// A student of the teacher's architecture learns the teacher's function: Adam on
/// mini-batches cuts the held-out loss by more than ten.
#[test]
fn adam_reduces_the_loss_on_a_learnable_target() {
    let d = 10;
    let (teacher, x, y, mut rng) = tanh_teacher_sample(d, 512);
    let tx = standard_normal(&mut rng, d, 1000);
    let ty = teacher.predict(tx.as_ref(), Par::Seq);
    let student = TrainableNetwork::new(
        d,
        &[(32, Activation::Tanh)],
        Initialization::GlorotUniform,
        &mut stream(5, 0),
    )
    .unwrap();
    let before = student.loss(tx.as_ref(), &ty, Par::Seq);
    let config = TrainingConfig {
        optimizer: Optimizer::adam(3e-3),
        weight_decay: 0.0,
        batch_size: Some(32),
        epochs: 150,
        patience: None,
        snapshots: 5,
        seed: 6,
        precision: Precision::F64,
        parallelism: Par::Seq,
    };
    let run = train(student, x.as_ref(), &y, Some((tx.as_ref(), &ty)), &config).unwrap();
    let after = run.last().loss(tx.as_ref(), &ty, Par::Seq);
    assert!(after < before / 10.0, "loss {before} → {after}");
    assert_eq!(run.history.len(), 150);
    assert_eq!(run.steps_per_epoch, 16);
    // The same loss, evaluated in chunks of the batch size rather than of 4096 columns
    // (faer's products may round differently for different column counts).
    let recorded = run.history.last().unwrap().validation_loss.unwrap();
    assert!(
        (recorded - after).abs() <= 1e-14 * after,
        "{recorded} vs {after}"
    );
    // Snapshots: initial, five log-spaced steps in [1, 2400] (the last is the end), in order.
    let steps: Vec<usize> = run.snapshots.iter().map(|s| s.step).collect();
    assert_eq!(steps, [0, 1, 7, 49, 343, 2400]);
    assert_eq!(run.snapshots[0].epoch, 0.0);
    assert_eq!(run.snapshots[5].epoch, 150.0);
    // Same seed, same run (sequential products).
    let again = train(
        run.snapshots[0].network.clone(),
        x.as_ref(),
        &y,
        Some((tx.as_ref(), &ty)),
        &config,
    )
    .unwrap();
    assert_eq!(again.last().readout, run.last().readout);
}

/// A validation set whose labels are independent noise stops improving quickly, so
/// early stopping ends the run long before the epoch budget.
#[test]
fn early_stopping_ends_a_run_that_stops_improving() {
    let (d, n) = (8, 200);
    let mut rng = stream(7, 0);
    let x = standard_normal(&mut rng, d, n);
    let y: Vec<f64> = (0..n).map(|j| x[(0, j)].tanh()).collect();
    let vx = standard_normal(&mut rng, d, 100);
    let vy: Vec<f64> = standard_normal(&mut rng, 1, 100)
        .row(0)
        .iter()
        .copied()
        .collect();
    let network = TrainableNetwork::new(
        d,
        &[(64, Activation::Tanh)],
        Initialization::Gaussian,
        &mut rng,
    )
    .unwrap();
    let config = TrainingConfig {
        optimizer: Optimizer::adam(1e-2),
        weight_decay: 0.0,
        batch_size: Some(20),
        epochs: 500,
        patience: Some(5),
        snapshots: 3,
        seed: 8,
        precision: Precision::F64,
        parallelism: Par::Seq,
    };
    let run = train(network, x.as_ref(), &y, Some((vx.as_ref(), &vy)), &config).unwrap();
    assert!(run.stopped_early);
    assert!(run.history.len() < 100, "ran {} epochs", run.history.len());
    let last = run.snapshots.last().unwrap();
    assert_eq!(last.step, run.history.len() * run.steps_per_epoch);
    // The epochs after the best one are exactly the patience.
    let losses: Vec<f64> = run
        .history
        .iter()
        .map(|r| r.validation_loss.unwrap())
        .collect();
    let best = losses
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .unwrap()
        .0;
    assert_eq!(losses.len() - 1 - best, 5);
}

#[test]
fn initialisations_have_the_stated_variances() {
    let mut rng = stream(9, 0);
    let network = TrainableNetwork::new(
        300,
        &[(500, Activation::Tanh)],
        Initialization::GlorotUniform,
        &mut rng,
    )
    .unwrap();
    let w = &network.layers[0].weights;
    let limit = (6.0f64 / 800.0).sqrt();
    let values: Vec<f64> = (0..500)
        .flat_map(|i| (0..300).map(move |j| (i, j)))
        .map(|(i, j)| w[(i, j)])
        .collect();
    assert!(values.iter().all(|v| v.abs() <= limit));
    let variance = values.iter().map(|v| v * v).sum::<f64>() / values.len() as f64;
    assert!((variance / (2.0 / 800.0) - 1.0).abs() < 0.02, "{variance}");
    let gaussian = TrainableNetwork::new(
        300,
        &[(500, Activation::Tanh)],
        Initialization::Gaussian,
        &mut rng,
    )
    .unwrap();
    let w = &gaussian.layers[0].weights;
    let variance = (0..500)
        .flat_map(|i| (0..300).map(move |j| (i, j)))
        .map(|(i, j)| w[(i, j)].powi(2))
        .sum::<f64>()
        / 150_000.0;
    assert!((variance * 300.0 - 1.0).abs() < 0.02, "{variance}");
}

#[test]
fn bad_configurations_are_named_errors() {
    let network = small_network(10);
    let x = Mat::<f64>::zeros(5, 4);
    let y = vec![0.0; 4];
    let base = TrainingConfig::full_batch_adam(1e-3, 2, 0);
    let message = |config: &TrainingConfig, net: TrainableNetwork| {
        train(net, x.as_ref(), &y, None, config)
            .unwrap_err()
            .to_string()
    };
    let mut c = base.clone();
    c.optimizer = Optimizer::adam(-1.0);
    assert!(message(&c, network.clone()).contains("optimizer.learning_rate"));
    let mut c = base.clone();
    c.patience = Some(3);
    assert!(message(&c, network.clone()).contains("patience"));
    let mut c = base.clone();
    c.batch_size = Some(0);
    assert!(message(&c, network.clone()).contains("batch_size"));
    let mut broken = network.clone();
    broken.layers[1] = Layer {
        weights: Mat::zeros(3, 7),
        activation: Activation::Tanh,
    };
    assert!(message(&base, broken).contains("layers[1].weights"));
    let mut sign = network.clone();
    sign.layers[0].activation =
        Activation::Custom(dsrf_rainbow::CustomActivation::new("cube", |x| x * x * x));
    assert!(message(&base, sign).contains("no derivative"));
    let wrong = train(network, Mat::<f64>::zeros(4, 4).as_ref(), &y, None, &base);
    assert!(wrong.unwrap_err().to_string().contains("d = 5"));
}

#[test]
fn log_spaced_steps_cover_the_run() {
    assert_eq!(log_spaced_steps(1000, 4), [1, 10, 100, 1000]);
    assert_eq!(log_spaced_steps(3, 10), [1, 2, 3]);
    assert!(log_spaced_steps(0, 5).is_empty());
    assert_eq!(log_spaced_steps(50, 1), [50]);
}
