//! SPEC §7.1 test vectors T1 (isotropic, well-specified) and T2 (small, misspecified),
//! to 1e-10 relative. Paper units throughout unless a column says "code".

use dsrf_theory::{Penalty, Problem, Units};

/// One row of a SPEC table: inputs and the published values.
struct Row {
    n: f64,
    lambda: f64,
    m: f64,
    d: f64,
    e_paper: f64,
}

fn close(what: &str, got: f64, want: f64, rel: f64) {
    let err = ((got - want) / want).abs();
    assert!(
        err <= rel,
        "{what}: got {got:.15e}, want {want:.15e} (relative error {err:.2e})"
    );
}

/// The helper every row goes through: solve, then compare m, D, and E.
fn check(problem: &Problem, row: &Row) {
    let point = problem.risk(row.n, Penalty::paper(row.lambda)).unwrap();
    let tag = format!("n={} λ={}", row.n, row.lambda);
    close(&format!("m ({tag})"), point.m(Units::Paper), row.m, 1e-10);
    close(&format!("D ({tag})"), 1.0 - point.denominator, row.d, 1e-10);
    close(
        &format!("E_gen ({tag})"),
        point.excess_risk,
        row.e_paper,
        1e-10,
    );
    assert!(point.iterations <= dsrf_theory::MAX_ITERATIONS);
}

fn t1() -> Problem {
    let p = 200;
    Problem::from_spectrum(&vec![1.0; p], &vec![1.0 / (p as f64).sqrt(); p], 1.0, 0.25).unwrap()
}

#[test]
fn t1_isotropic_well_specified() {
    let problem = t1();
    #[rustfmt::skip]
    let rows = [
        Row { n: 100.0, lambda: 1e-3, m: 1.99204765086, d: 0.498009936476, e_paper: 0.748021778304 },
        Row { n: 100.0, lambda: 0.1, m: 1.48331477355, d: 0.362669636232, e_paper: 0.659522483825 },
        Row { n: 200.0, lambda: 1e-3, m: 31.1267292017, d: 0.938715414867, e_paper: 3.84513865073 },
        Row { n: 200.0, lambda: 0.1, m: 2.70156211872, d: 0.53267195507, e_paper: 0.441129886846 },
        Row { n: 400.0, lambda: 1e-3, m: 500.499002989, d: 0.49900249203, e_paper: 0.249006466178 },
        Row { n: 400.0, lambda: 0.1, m: 5.42214438511, d: 0.419135240615, e_paper: 0.192664546473 },
    ];
    for row in &rows {
        check(&problem, row);
    }
}

#[test]
fn t1_code_units_columns() {
    let problem = t1();
    // (n, λ_c, m_c, 1/m_c, code E including the test noise)
    #[rustfmt::skip]
    let rows = [
        (100.0, 0.2, 0.00996023825428, 100.399204765, 0.998021778304),
        (100.0, 20.0, 0.00741657386774, 134.833147735, 0.909522483825),
        (200.0, 0.2, 0.155633646009, 6.42534584035, 4.09513865073),
        (200.0, 20.0, 0.0135078105936, 74.0312423743, 0.691129886846),
        (400.0, 0.2, 2.50249501495, 0.399601195618, 0.499006466178),
        (400.0, 20.0, 0.0271107219256, 36.8857754045, 0.442664546473),
    ];
    for (n, lc, mc, inv_mc, e) in rows {
        let point = problem.risk(n, Penalty::code(lc)).unwrap();
        close("m_c", point.m(Units::Code), mc, 1e-10);
        close("1/m_c = nκ", n * point.kappa, inv_mc, 1e-10);
        close("code E", point.test_error, e, 1e-10);
        close(
            "λ in paper units",
            point.lambda(Units::Paper),
            lc / 200.0,
            1e-15,
        );
    }
}

#[test]
fn t1_kappa_column() {
    let problem = t1();
    #[rustfmt::skip]
    let rows = [(100.0, 1e-3, 1.00399204765), (100.0, 0.1, 1.34833147735), (200.0, 1e-3, 0.0321267292017),
                (200.0, 0.1, 0.370156211872), (400.0, 1e-3, 0.000999002989045), (400.0, 0.1, 0.0922144385112)];
    for (n, lambda, kappa) in rows {
        close(
            "κ",
            problem.risk(n, Penalty::paper(lambda)).unwrap().kappa,
            kappa,
            1e-10,
        );
    }
}

#[test]
fn t2_small_misspecified() {
    let problem =
        Problem::from_spectrum(&[1.0, 0.5, 0.25, 0.125], &[0.8, 0.3, -0.2, 0.1], 1.2, 0.1).unwrap();
    #[rustfmt::skip]
    let rows = [
        (Row { n: 2.0, lambda: 1e-3, m: 5.58479328696, d: 0.558809702281, e_paper: 0.841302254518 }, 2.93591383037e-05),
        (Row { n: 2.0, lambda: 0.1, m: 2.87580799808, d: 0.307970974893, e_paper: 0.698597984747 }, 0.0660462226646),
        (Row { n: 2.0, lambda: 1.0, m: 0.726556359881, d: 0.0517281457244, e_paper: 0.871178209265 }, 0.512669577751),
        (Row { n: 4.0, lambda: 1e-3, m: 58.5215811078, d: 0.887939427379, e_paper: 2.06123429761 }, 0.00740174217574),
        (Row { n: 4.0, lambda: 0.1, m: 4.16424373377, d: 0.370984029265, e_paper: 0.46589122662 }, 0.0981307781372),
        (Row { n: 4.0, lambda: 1.0, m: 0.761314833811, d: 0.0739913601092, e_paper: 0.67791499865 }, 0.450879748063),
        (Row { n: 8.0, lambda: 1e-3, m: 501.857585131, d: 0.496295233194, e_paper: 0.376487189971 }, 0.120008557189),
        (Row { n: 8.0, lambda: 0.1, m: 6.07731671295, d: 0.315112537999, e_paper: 0.293795987915 }, 0.145443737641),
        (Row { n: 8.0, lambda: 1.0, m: 0.809724056231, d: 0.0867259664498, e_paper: 0.474453890952 }, 0.376642444101),
    ];
    for (row, train) in &rows {
        check(&problem, row);
        let point = problem.risk(row.n, Penalty::paper(row.lambda)).unwrap();
        close("train error", point.train_error, *train, 1e-10);
    }
}
