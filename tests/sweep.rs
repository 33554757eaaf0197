//! `stadyn sweep`: the job at several style strengths, `sweep.csv` of
//! exactly what each strength's report says, strength 1 being the plain
//! job, and pre-stylized folders refused.

use crate::util::*;

/// `args` with 20 bootstrap replicates instead of none (intervals to tabulate).
fn with_intervals(mut args: Vec<String>) -> Vec<String> {
    let at = args.iter().position(|a| a == "--bootstrap").unwrap();
    args[at + 1] = "20".into();
    args
}

#[test]
fn a_sweep_runs_the_job_at_each_strength_and_tabulates_it() {
    let d = tempfile::tempdir().unwrap();
    let cache = d.path().join("cache");
    let probe = probe(d.path());
    let out = d.path().join("sweep");
    let mut args = vec!["sweep".to_string(), "--strength".into(), "1,0,0.5".into()];
    args.extend(with_intervals(tiny_args(&probe, &out, 24, &["-q"])));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = stadyn_with_cache(&cache, &a);
    assert!(o.status.success(), "{}", text(&o));
    for s in ["0", "0.5", "1"] {
        assert!(
            out.join(format!("strength_{s}/report.json")).is_file(),
            "{s}"
        );
    }
    assert!(std::fs::metadata(out.join("sweep.png")).unwrap().len() > 1000);
    assert!(
        std::fs::read_to_string(out.join("sweep.svg"))
            .unwrap()
            .contains("style strength")
    );

    // sweep.csv: every layer × strength × factor, the reports' numbers.
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "model,checkpoint,epoch,layer,strength,factor,pct,lo,hi"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let r1 = report(&out.join("strength_1"));
    let r0 = report(&out.join("strength_0"));
    let layers = r1["models"][0]["layers"].as_array().unwrap();
    assert_eq!(rows.len(), 3 * 3 * layers.len());
    for (rep, s) in [(&r0, "0"), (&r1, "1")] {
        for l in rep["models"][0]["layers"].as_array().unwrap() {
            for (k, f) in ["dynamic", "static", "residual"].iter().enumerate() {
                let row = rows
                    .iter()
                    .find(|r| r[3] == l["name"].as_str().unwrap() && r[4] == s && r[5] == *f)
                    .unwrap();
                assert_eq!(
                    row[6].parse::<f64>().unwrap(),
                    l["pct"][k].as_f64().unwrap()
                );
                assert_eq!(
                    row[7].parse::<f64>().unwrap(),
                    l["ci95"]["pct"][k][0].as_f64().unwrap()
                );
            }
        }
    }
    // Strength 1 is the plain job (same cache entry, same numbers); the
    // weaker ones say their strength, the plain one does not.
    assert!(r1.get("style_strength").is_none());
    assert_eq!(r0["style_strength"]["paint"], 0.0);
    let plain = d.path().join("plain");
    let job = with_intervals(tiny_args(&probe, &plain, 24, &[]));
    let o = analyze_with(&cache, &job);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("reused cached results"), "{}", text(&o));
    assert_same_results(&report(&plain), &r1, 0.0);
    // At strength 0 the two members of a dynamic pair are the same clip:
    // every defined ρ_D is 1.
    for l in r0["models"][0]["layers"].as_array().unwrap() {
        for rho in l["units"]["rho_dynamic"].as_array().unwrap() {
            if let Some(r) = rho.as_f64() {
                assert!((r - 1.0).abs() < 1e-6, "{}: {r}", l["name"]);
            }
        }
    }
}

#[test]
fn a_sweep_refuses_pre_stylized_folders_and_bad_strengths() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("sweep");
    let stylized = repo("tests/fixtures/stylized");
    let o = stadyn_with_cache(
        &d.path().join("cache"),
        &[
            "sweep",
            "--strength",
            "0.5,1",
            "--model",
            &fixture_model("tiny3d"),
            "--videos",
            s(&stylized),
            "--out",
            s(&out),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("pre-stylized"), "{}", text(&o));
    assert!(!out.join("strength_0.5").exists());
    for bad in ["1.5", "nan", "-0.1"] {
        let flag = format!("--strength={bad}");
        let o = stadyn(&["sweep", &flag, "--out", s(&out), "x.toml"]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", text(&o));
        assert!(text(&o).contains("between 0 and 1"), "{}", text(&o));
    }
    let o = stadyn(&[
        "analyze",
        "--style-strength",
        "2",
        "--out",
        s(&out),
        "x.toml",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
