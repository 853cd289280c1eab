//! The IDX loader on a tiny fixture written here (plain and gzip), class maps,
//! normalisation and splits.

use std::io::Write;
use std::path::PathBuf;

use dsrf_sim::{fashion_tops, load_idx_dataset, parity, parse_idx, read_idx, split};

fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, dims.len() as u8];
    for d in dims {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

fn fixture(name: &str, bytes: &[u8], gzip: bool) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("idx");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    if gzip {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(bytes).unwrap();
        std::fs::write(&path, enc.finish().unwrap()).unwrap();
    } else {
        std::fs::write(&path, bytes).unwrap();
    }
    path
}

#[test]
fn reads_plain_and_gzip_idx_and_maps_classes() {
    // Five 2×2 "images" with classes 0..4.
    let pixels: Vec<u8> = (0..20).map(|i| (i * 13 % 256) as u8).collect();
    let images = idx(&[5, 2, 2], &pixels);
    let labels = idx(&[5], &[0, 1, 2, 3, 4]);
    let plain = read_idx(&fixture("images.idx", &images, false)).unwrap();
    let gz = read_idx(&fixture("images.idx.gz", &images, true)).unwrap();
    assert_eq!(plain, gz);
    assert_eq!(plain.dims, vec![5, 2, 2]);
    let labels = read_idx(&fixture("labels.idx.gz", &labels, true)).unwrap();
    let all = load_idx_dataset(&plain, &labels, parity).unwrap();
    assert_eq!(all.labels, vec![1.0, -1.0, 1.0, -1.0, 1.0]);
    assert_eq!((all.inputs.nrows(), all.inputs.ncols()), (4, 5));
    assert_eq!(all.inputs[(3, 1)], pixels[7] as f64);
    // The Fashion map keeps classes 0, 2, 4 of these.
    let tops = load_idx_dataset(&plain, &labels, fashion_tops).unwrap();
    assert_eq!(tops.labels, vec![-1.0, 1.0, 1.0]);
    assert_eq!(tops.inputs[(0, 1)], pixels[8] as f64);
    // Normalisation: zero pixel means, unit global variance.
    let mut normalized = all.clone();
    normalized.normalize();
    for i in 0..4 {
        let mean: f64 = (0..5).map(|j| normalized.inputs[(i, j)]).sum::<f64>() / 5.0;
        assert!(mean.abs() < 1e-12);
    }
    let var: f64 = (0..4)
        .flat_map(|i| (0..5).map(move |j| (i, j)))
        .map(|(i, j)| normalized.inputs[(i, j)].powi(2))
        .sum::<f64>()
        / 20.0;
    assert!((var - 1.0).abs() < 1e-12);
}

#[test]
fn malformed_idx_files_are_errors() {
    assert!(parse_idx(&[1, 2, 3]).is_err());
    assert!(
        parse_idx(&[0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0])
            .unwrap_err()
            .to_string()
            .contains("not supported")
    );
    let short = idx(&[4], &[1, 2]);
    assert!(
        parse_idx(&short)
            .unwrap_err()
            .to_string()
            .contains("data bytes")
    );
    let images = parse_idx(&idx(&[2, 1, 1], &[1, 2])).unwrap();
    let labels = parse_idx(&idx(&[3], &[1, 2, 3])).unwrap();
    assert!(load_idx_dataset(&images, &labels, parity).is_err());
}

#[test]
fn seeded_splits_partition_the_samples() {
    let parts = split(1000, &[0.1, 0.25, 0.25, 0.4], 7).unwrap();
    assert_eq!(
        parts.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![100, 250, 250, 400]
    );
    let mut all: Vec<usize> = parts.concat();
    all.sort_unstable();
    assert_eq!(all, (0..1000).collect::<Vec<_>>());
    assert_eq!(parts, split(1000, &[0.1, 0.25, 0.25, 0.4], 7).unwrap());
    assert_ne!(parts, split(1000, &[0.1, 0.25, 0.25, 0.4], 8).unwrap());
    assert!(split(10, &[0.7, 0.7], 1).is_err());
}

/// Samples from a pool come from its rows (features through the map, centred) with
/// their own labels; the sampler is reproducible from the stream.
#[test]
fn dataset_sampler_draws_rows_with_their_labels() {
    use dsrf_rainbow::{Activation, Layer};
    use dsrf_sim::{Dataset, DatasetSampler, FeatureSampler, stream};
    use faer::Mat;
    let inputs = Mat::from_fn(3, 5, |i, j| (i * 5 + j) as f64 / 10.0);
    let labels: Vec<f64> = (0..5).map(|j| j as f64).collect();
    let layer = Layer {
        weights: Mat::from_fn(2, 3, |i, j| if i == j { 1.0 } else { 0.5 }),
        activation: Activation::Tanh,
    };
    let centre = vec![0.1, -0.2];
    let sampler = DatasetSampler::new(
        Dataset {
            inputs: inputs.clone(),
            labels,
        },
        vec![layer.clone()],
        Some(centre.clone()),
    )
    .unwrap();
    assert_eq!(sampler.feature_dim(), 2);
    let (phi, y) = sampler.sample(&mut stream(3, 0), 40);
    let (again, _) = sampler.sample(&mut stream(3, 0), 40);
    assert_eq!(phi, again);
    let mut seen = [false; 5];
    for k in 0..40 {
        let j = y[k] as usize;
        seen[j] = true;
        for i in 0..2 {
            let pre: f64 = (0..3).map(|c| layer.weights[(i, c)] * inputs[(c, j)]).sum();
            assert!((phi[(i, k)] - (pre.tanh() - centre[i])).abs() < 1e-15);
        }
    }
    assert!(
        seen.iter().all(|s| *s),
        "40 draws from 5 rows hit every row"
    );
    let bad = DatasetSampler::new(
        Dataset {
            inputs,
            labels: vec![0.0; 5],
        },
        vec![layer],
        Some(vec![0.0; 3]),
    );
    assert!(bad.unwrap_err().to_string().contains("centre"));
}

#[test]
fn encode_is_the_inverse_of_parse() {
    let pixels: Vec<u8> = (0..24).map(|i| (i * 7) as u8).collect();
    let bytes = idx(&[2, 3, 4], &pixels);
    let array = parse_idx(&bytes).unwrap();
    assert_eq!(array.encode().unwrap(), bytes);
    let broken = dsrf_sim::IdxArray {
        dims: vec![2, 2],
        data: vec![0; 3],
    };
    assert!(broken.encode().is_err());
}
