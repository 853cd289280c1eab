//! Every parser of the file formats is total: random and mutated JSON documents and
//! `.npy` bytes give `Ok` or a named error, never a panic (and realising whatever
//! parses, under a small memory budget, never aborts).

use dsrf::budget::Budget;
use dsrf::files::npy::{encode_f64, parse_npy};
use dsrf::files::{LinearizeFile, NetworkFile, ProblemFile, ReadContext};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Deterministic by default (CI must not be flaky); set DSRF_PROPTEST_SEED to explore.
fn config(cases: u32) -> ProptestConfig {
    let seed = std::env::var("DSRF_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_201);
    ProptestConfig {
        cases,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Keys of every format, so random objects hit the parsers' branches.
const KEYS: [&str; 40] = [
    "seed",
    "input",
    "matrices",
    "learner",
    "target",
    "readout",
    "noise_variance",
    "units",
    "lambdas",
    "ns",
    "name",
    "value",
    "weights",
    "activation",
    "gaussian",
    "rainbow",
    "sum",
    "ref",
    "values",
    "npy",
    "rows",
    "cols",
    "z",
    "covariance",
    "scale",
    "matrix",
    "identity",
    "scaled_identity",
    "diagonal",
    "power_law",
    "dim",
    "exponent",
    "inverse_gram_plus",
    "of",
    "shift",
    "theta_star",
    "variance",
    "omega",
    "psi",
    "eigenvalues",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (0u64..64).prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            -10.0f64..10.0,
            Just(1e300),
            Just(-1e300),
            Just(0.5),
            Just(1e20)
        ]
        .prop_map(|x| json!(x)),
        prop_oneof![
            Just("tanh"),
            Just("relu"),
            Just("paper"),
            Just("code"),
            Just("W1"),
            Just("x"),
            Just("tanh(2x)"),
            Just("leaky_relu(0.1)"),
            Just("/dev/null")
        ]
        .prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec((prop::sample::select(&KEYS[..]), inner), 0..6).prop_map(
                |entries| {
                    Value::Object(
                        entries
                            .into_iter()
                            .map(|(k, v)| (k.to_string(), v))
                            .collect::<Map<_, _>>(),
                    )
                }
            ),
        ]
    })
}

fn small_network() -> Value {
    let g =
        |name: &str, r: usize, c: usize| json!({"gaussian": {"name": name, "rows": r, "cols": c}});
    json!({
        "seed": 3,
        "input": {"identity": 6},
        "matrices": [{"name": "W", "value": {"rainbow": {"z": g("Z", 5, 6), "covariance": {"power_law": {"dim": 6, "exponent": 0.5}}}}}],
        "learner": [
            {"weights": {"ref": "W"}, "activation": "tanh"},
            {"weights": {"rainbow": {"z": g("Z3", 4, 5), "covariance": {"inverse_gram_plus": {"of": {"ref": "W"}, "shift": 0.5}}}}, "activation": "erf"}
        ],
        "target": [{"weights": {"sum": [{"scale": 0.5, "matrix": {"ref": "W"}}, {"matrix": g("V", 5, 6)}]}, "activation": "tanh"}],
        "readout": {"gaussian": {"name": "theta", "variance": 1.0}},
        "noise_variance": 0.1, "units": "paper", "lambdas": [0.1], "ns": [4, 8]
    })
}

fn small_problem() -> Value {
    json!({"units": "code", "omega": {"matrix": [[1.0, 0.2], [0.2, 0.5]]},
           "phi": [[0.3], [0.1]], "psi_target": [[1.0]], "theta_star": [1.0],
           "noise_variance": 0.1, "lambdas": [0.1], "ns": [2]})
}

fn small_linearize() -> Value {
    json!({"omega0": [[1.0, 0.0], [0.0, 1.0]], "psi0": [0.3, -0.1],
           "layers": [{"weights": [[0.5, -0.3], [0.1, 0.4]], "activation": "tanh"}]})
}

/// Replaces the sub-value at a random path (chosen by `choices`) with `replacement`.
fn mutate(mut doc: Value, choices: &[usize], replacement: Value) -> Value {
    replace_at(&mut doc, choices, replacement);
    doc
}

fn replace_at(here: &mut Value, choices: &[usize], replacement: Value) {
    let Some((&c, rest)) = choices.split_first() else {
        *here = replacement;
        return;
    };
    match here {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(c % map.len()).unwrap().clone();
            replace_at(map.get_mut(&key).unwrap(), rest, replacement);
        }
        Value::Array(items) if !items.is_empty() => {
            let k = c % items.len();
            replace_at(&mut items[k], rest, replacement);
        }
        _ => *here = replacement,
    }
}

fn parse_all(doc: &Value) {
    let context = ReadContext::new(std::env::temp_dir()).with_budget(Budget {
        memory_bytes: 4 << 20,
        ..Budget::unlimited()
    });
    if let Ok(file) = NetworkFile::parse(doc, &context) {
        let budget = Budget {
            memory_bytes: 4 << 20,
            ..Budget::unlimited()
        };
        if let Ok(net) = file.model.realise(&budget) {
            let _ = net.problem(dsrf::rainbow::VarianceConvention::Averaged);
        }
        // What parses writes back to what parses the same.
        let again = NetworkFile::parse(&file.to_json(), &context).expect("to_json parses");
        assert_eq!(again.to_json(), file.to_json());
    }
    let _ = ProblemFile::parse(doc, &context);
    let _ = LinearizeFile::parse(doc, &context);
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn random_documents_never_panic(doc in value()) {
        parse_all(&doc);
    }

    #[test]
    fn mutated_documents_never_panic(
        which in 0usize..3,
        path in prop::collection::vec(any::<usize>(), 0..6),
        replacement in value(),
    ) {
        let base = [small_network(), small_problem(), small_linearize()][which].clone();
        parse_all(&mutate(base, &path, replacement));
    }

    #[test]
    fn mutated_text_never_panics(
        which in 0usize..3,
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8),
    ) {
        let base = [small_network(), small_problem(), small_linearize()][which].to_string();
        let mut bytes = base.into_bytes();
        for (at, byte) in edits {
            let k = at % bytes.len();
            bytes[k] = byte;
        }
        if let Ok(text) = String::from_utf8(bytes) {
            let context = ReadContext::new(std::env::temp_dir());
            let _ = NetworkFile::parse_str(&text, &context);
            let _ = ProblemFile::parse_str(&text, &context);
            let _ = LinearizeFile::parse_str(&text, &context);
        }
    }
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn random_bytes_are_not_npy(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_npy(&bytes);
    }

    #[test]
    fn mutated_npy_never_panics(
        data in prop::collection::vec(-1e3f64..1e3, 0..12),
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in any::<usize>(),
        extra in prop::collection::vec(any::<u8>(), 0..4),
    ) {
        let mut bytes = encode_f64(&[data.len()], &data);
        for (at, byte) in edits {
            let k = at % bytes.len();
            bytes[k] = byte;
        }
        bytes.truncate(cut % (bytes.len() + 1) + 1);
        bytes.extend(extra);
        if let Ok(array) = parse_npy(&bytes) {
            let entries: usize = array.shape.iter().product();
            prop_assert_eq!(array.data.len(), entries);
        }
    }
}

#[test]
fn a_valid_npy_survives_the_round_trip() {
    let data = [1.0, -2.5, 3.0, 1e-300, 7.0, 8.0];
    let a = parse_npy(&encode_f64(&[2, 3], &data)).unwrap();
    assert_eq!((a.shape, a.data), (vec![2, 3], data.to_vec()));
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn idx_parsing_never_panics(
        rank in 0u8..4,
        dims in prop::collection::vec(0u32..6, 0..4),
        data in prop::collection::vec(any::<u8>(), 0..80),
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..4),
    ) {
        let mut bytes = vec![0, 0, 0x08, rank];
        for d in &dims {
            bytes.extend_from_slice(&d.to_be_bytes());
        }
        bytes.extend(data);
        for (at, b) in edits {
            let k = at % bytes.len();
            bytes[k] = b;
        }
        if let Ok(array) = dsrf::sim::parse_idx(&bytes) {
            prop_assert_eq!(array.data.len(), array.dims.iter().product::<usize>());
        }
    }
}
