//! The headless command line, run as a user would run it.

use std::process::{Command, Output};

fn ganscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ganscope"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ganscope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

#[test]
fn config_prints_every_key_and_every_key_works_with_set() {
    let out = ganscope(&["config", "--preset", "fig1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let table: toml::Table = toml::from_str(&text).expect("config prints TOML");
    let mut keys = Vec::new();
    for (section, value) in &table {
        match value {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    keys.push((format!("{section}.{k}"), v.to_string()));
                }
            }
            v => keys.push((section.clone(), v.to_string())),
        }
    }
    assert!(keys.len() >= 25, "only {} keys", keys.len());
    for (key, value) in keys {
        let set = format!("{key}={value}");
        let again = ganscope(&["config", "--preset", "fig1", "--set", &set]);
        assert!(again.status.success(), "--set {set}: {}", stderr(&again));
        assert_eq!(
            stdout(&again),
            text,
            "--set {set} with the same value must change nothing"
        );
    }
    // A file written by `config` reads back.
    let path = temp_path("fig1.toml");
    std::fs::write(&path, &text).expect("write");
    let from_file = ganscope(&["config", "--config", path.to_str().expect("utf-8")]);
    assert_eq!(stdout(&from_file), text);
}

#[test]
fn train_prints_metrics_in_every_format_and_writes_curves_and_samples() {
    let curves = temp_path("curves.csv");
    let samples = temp_path("samples.txt");
    let out = ganscope(&[
        "train",
        "--preset",
        "fig1",
        "--iters",
        "200",
        "--every",
        "100",
        "--seed",
        "3",
        "--format",
        "csv",
        "--curves",
        curves.to_str().expect("utf-8"),
        "--samples",
        "500",
        samples.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 4, "header + iterations 0, 100, 200:\n{text}");
    let columns = rows[0].split(',').count();
    for row in &rows[1..] {
        let values: Vec<f64> = row
            .split(',')
            .map(|v| v.parse().expect("numbers"))
            .collect();
        assert_eq!(values.len(), columns);
        assert!(values.iter().all(|v| v.is_finite()));
    }
    assert!(rows[3].starts_with("200,"));
    let curve_text = std::fs::read_to_string(&curves).expect("curves written");
    let mut lines = curve_text.lines();
    assert_eq!(lines.next(), Some("x,p_data,p_g,d,d_star"));
    assert_eq!(lines.count(), 1000);
    let sample_text = std::fs::read_to_string(&samples).expect("samples written");
    let xs: Vec<f64> = sample_text
        .lines()
        .map(|l| l.parse().expect("number"))
        .collect();
    assert_eq!(xs.len(), 500);

    let json = ganscope(&[
        "train", "--preset", "fig1", "--iters", "100", "--every", "50", "--format", "json",
    ]);
    assert!(json.status.success());
    for line in stdout(&json).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object per line");
        assert!(v["jsd"].as_f64().is_some_and(f64::is_finite));
    }
    let table = ganscope(&[
        "train",
        "--preset",
        "reference",
        "--iters",
        "10",
        "--every",
        "10",
    ]);
    assert!(table.status.success());
    assert!(
        stdout(&table)
            .lines()
            .next()
            .is_some_and(|h| h.contains("jsd"))
    );
}

#[test]
fn the_same_seed_prints_the_same_numbers() {
    let args = [
        "train", "--preset", "fig1", "--iters", "300", "--every", "100", "--seed", "9", "--format",
        "csv",
    ];
    assert_eq!(stdout(&ganscope(&args)), stdout(&ganscope(&args)));
}

#[test]
fn bad_arguments_exit_with_code_2_and_a_one_line_reason() {
    let missing = temp_path("does-not-exist.toml");
    let malformed = temp_path("malformed.toml");
    std::fs::write(&malformed, "seed = \"one\"\n[training\n").expect("write");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--set".into(), "target.std=0".into()], "target.std"),
        (vec!["--set".into(), "target.std=-2".into()], "target.std"),
        (vec!["--set".into(), "training.k=0".into()], "training.k"),
        (
            vec!["--set".into(), "training.lr_d=nan".into()],
            "training.lr_d",
        ),
        (
            vec!["--set".into(), "training.lr_g=-1".into()],
            "training.lr_g",
        ),
        (
            vec!["--set".into(), "generator.width=0".into()],
            "generator.width",
        ),
        (
            vec!["--set".into(), "discriminator.depth=7".into()],
            "discriminator.depth",
        ),
        (
            vec!["--set".into(), "training.batch_size=100000".into()],
            "training.batch_size",
        ),
        (vec!["--set".into(), "noise.high=-5".into()], "noise.high"),
        (
            vec!["--set".into(), "training.loss=\"nope\"".into()],
            "training.loss",
        ),
        (
            vec!["--set".into(), "training.beta2=1".into()],
            "training.beta2",
        ),
        (vec!["--set".into(), "no_equals_sign".into()], "key=value"),
        (vec!["--set".into(), "bogus.key=1".into()], "bogus.key"),
        (vec!["--preset".into(), "nonexistent".into()], "preset"),
        (
            vec!["--config".into(), missing.display().to_string()],
            "cannot read",
        ),
        (
            vec!["--config".into(), malformed.display().to_string()],
            "settings file",
        ),
        (vec!["--iters".into(), "many".into()], "many"),
        (vec!["--format".into(), "xml".into()], "xml"),
        (vec!["--every".into(), "0".into()], "0"),
        (
            vec!["--samples".into(), "0".into(), "x.txt".into()],
            "--samples",
        ),
        (vec!["--no-such-flag".into()], "no-such-flag"),
    ];
    for (extra, needle) in &cases {
        let mut args = vec!["train".to_owned()];
        if !extra.iter().any(|a| a == "--iters") {
            args.extend(["--iters".to_owned(), "10".to_owned()]);
        }
        args.extend(extra.iter().cloned());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = ganscope(&refs);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{extra:?}: not one line:\n{err}"
        );
        assert!(err.contains(needle), "{extra:?}: '{needle}' not in {err}");
    }
    assert!(cases.len() >= 15);
    let unknown = ganscope(&["fly"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn a_diverging_run_says_where_and_why_and_exits_with_code_3() {
    let out = ganscope(&[
        "train",
        "--preset",
        "fig1",
        "--iters",
        "100",
        "--set",
        "training.lr_d=10",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("diverged") && err.contains("discriminator") && err.contains("iteration 0"),
        "{err}"
    );
    assert!(
        !stdout(&out).to_lowercase().contains("nan"),
        "no NaN reaches the metrics"
    );
}

#[test]
fn presets_and_bench_run() {
    let out = ganscope(&["presets"]);
    assert!(out.status.success());
    assert!(stdout(&out).lines().count() >= 6);
    let bench = ganscope(&["bench", "--iters", "50", "--warmup", "5"]);
    assert!(bench.status.success(), "{}", stderr(&bench));
    assert!(stdout(&bench).contains("iterations/s"));
}

#[test]
fn a_one_line_settings_string_reproduces_the_run() {
    let line = stdout(&ganscope(&[
        "config",
        "--preset",
        "oscillation",
        "--seed",
        "7",
        "--as-line",
    ]));
    let line = line.trim();
    assert!(line.starts_with("ganscope1:") && !line.contains('\n'));
    let from_line = ganscope(&[
        "train", "--line", line, "--iters", "200", "--every", "100", "--format", "csv",
    ]);
    let from_preset = ganscope(&[
        "train",
        "--preset",
        "oscillation",
        "--seed",
        "7",
        "--iters",
        "200",
        "--every",
        "100",
        "--format",
        "csv",
    ]);
    assert!(from_line.status.success(), "{}", stderr(&from_line));
    assert_eq!(stdout(&from_line), stdout(&from_preset));
    let bad = ganscope(&["train", "--line", "ganscope1:training.k=0", "--iters", "1"]);
    assert_eq!(bad.status.code(), Some(2));
}
