//! The headless command line, run as a user would run it.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

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
        let fields: Vec<&str> = row.split(',').collect();
        assert_eq!(fields.len(), columns);
        // Before the first step there is no loss yet: those fields are empty.
        let values: Vec<f64> = fields
            .iter()
            .filter(|f| !f.is_empty())
            .map(|v| v.parse().expect("numbers"))
            .collect();
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
fn a_bad_ui_scale_is_refused_before_the_window_opens() {
    for scale in ["3", "0.5", "nan"] {
        let out = ganscope(&["--presenter", "--ui-scale", scale]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{scale}: {err}");
        assert!(
            err.contains("--ui-scale") && err.contains("[0.75, 2.5]"),
            "{scale}: {err}"
        );
    }
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

#[test]
fn bad_seed_counts_and_destinations_exit_2_before_any_work() {
    let dir = std::env::temp_dir().join(format!("ganscope-cli-dest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("folder.png")).expect("temp dirs");
    let file = dir.join("existing.png");
    std::fs::write(&file, "keep me").expect("write");
    let p = |path: std::path::PathBuf| path.display().to_string();
    let missing = p(dir.join("no/such/folder/x.png"));
    let under_file = p(file.join("x.png"));
    let is_folder = p(dir.join("folder.png"));
    let gif = p(dir.join("no/such/folder/run.gif"));
    let csv = p(dir.join("no/such/folder/curves.csv"));
    let txt = p(dir.join("no/such/folder/samples.txt"));
    let existing = p(file.clone());
    let max = u64::MAX.to_string();
    // (arguments, what stderr must name, the file that must not appear)
    let cases: Vec<(Vec<&str>, Vec<&str>, Option<&str>)> = vec![
        (
            vec!["study", "--seeds", "0"],
            vec!["--seeds", "1..=1000"],
            None,
        ),
        (
            vec!["study", "--seeds", "1001"],
            vec!["--seeds", "1..=1000"],
            None,
        ),
        (
            vec!["study", "--first-seed", &max, "--seeds", "2"],
            vec!["--first-seed", "--seeds"],
            None,
        ),
        (
            vec!["figure", "--out", &missing],
            vec![&missing, "does not exist"],
            Some(&missing),
        ),
        (
            vec!["figure", "--out", &under_file],
            vec![&under_file, "is not a folder"],
            Some(&under_file),
        ),
        (
            vec!["figure", "--out", &is_folder],
            vec![&is_folder, "is a folder"],
            None,
        ),
        (
            vec!["figure", "--out", &existing],
            vec![&existing, "already exists", "--force"],
            None,
        ),
        (
            vec!["animate", "--iters", "10", "--out", &gif],
            vec![&gif, "does not exist"],
            Some(&gif),
        ),
        (
            vec!["train", "--iters", "10", "--curves", &csv],
            vec![&csv, "does not exist"],
            Some(&csv),
        ),
        (
            vec!["train", "--iters", "10", "--samples", "5", &txt],
            vec![&txt, "does not exist"],
            Some(&txt),
        ),
    ];
    for (args, needles, absent) in &cases {
        let out = ganscope(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        for needle in needles {
            assert!(err.contains(needle), "{args:?}: '{needle}' not in {err}");
        }
        // Refused before any work: no stage lines, no table, no file.
        assert_eq!(stdout(&out), "", "{args:?}");
        assert!(absent.is_none_or(|f| !std::path::Path::new(f).exists()));
    }
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "keep me",
        "an existing file is left alone"
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_folder_is_refused_before_the_run() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = std::env::temp_dir().join(format!("ganscope-cli-ro-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    // Whoever may write anyway (root) cannot see the refusal.
    let probe = dir.join("probe");
    if std::fs::write(&probe, "").is_ok() {
        let _ = std::fs::remove_file(&probe);
        return;
    }
    let target = dir.join("fig1.svg");
    let path = target.to_str().expect("utf-8");
    let out = ganscope(&["figure", "--out", path]);
    let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(path), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
}

#[test]
fn a_seed_from_seed_is_checked_like_a_seed_from_set() {
    // (Above i64::MAX, `--set` cannot even parse the number: TOML integers are i64.)
    for seed in ["0", "9007199254740993", "9223372036854775807"] {
        let by_set = ganscope(&["config", "--set", &format!("seed={seed}")]);
        let by_flag = ganscope(&["config", "--seed", seed]);
        assert_eq!(
            by_flag.status.code(),
            by_set.status.code(),
            "seed {seed}: --seed {} but --set {}",
            stderr(&by_flag),
            stderr(&by_set)
        );
        if by_flag.status.code() == Some(2) {
            assert!(stderr(&by_flag).contains("seed"), "{}", stderr(&by_flag));
        } else {
            assert_eq!(stdout(&by_flag), stdout(&by_set), "seed {seed}");
        }
    }
}

#[test]
fn the_app_and_the_cli_write_the_same_metrics_columns_and_rows() {
    let mut settings = ganscope::sim::Settings::preset("fig1").expect("preset");
    settings.seed = 5;
    let mut worker = ganscope::app::worker::Worker::new(settings).expect("valid");
    let app_csv = ganscope::app::export::metrics_csv(&worker.publish());
    let cli = ganscope(&[
        "train", "--preset", "fig1", "--seed", "5", "--iters", "0", "--format", "csv",
    ]);
    assert!(cli.status.success(), "{}", stderr(&cli));
    let cli_csv = stdout(&cli);
    let header = |text: &str| text.lines().next().map(str::to_owned);
    assert_eq!(header(&app_csv), header(&cli_csv));
    assert_eq!(
        header(&cli_csv).as_deref(),
        Some(ganscope::sim::record::csv_header().as_str())
    );
    // The same state gives the same row, number for number.
    assert_eq!(app_csv.lines().nth(1), cli_csv.lines().nth(1));
}

#[test]
fn a_preset_printed_by_config_and_read_from_stdin_gives_the_same_run_as_the_preset() {
    for preset in &ganscope::sim::settings::Preset::ALL {
        let config = ganscope(&["config", "--preset", preset.name]);
        assert!(config.status.success(), "{}", stderr(&config));
        let text = stdout(&config);
        assert!(
            text.contains("# k: discriminator steps"),
            "config explains its keys"
        );
        let run = ["--iters", "60", "--every", "20", "--format", "csv"];
        let mut child = Command::new(env!("CARGO_BIN_EXE_ganscope"))
            .args(["train", "--config", "/dev/stdin"])
            .args(run)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write");
        let piped = child.wait_with_output().expect("runs");
        assert!(
            piped.status.success(),
            "{}: {}",
            preset.name,
            stderr(&piped)
        );
        let direct = ganscope(&[&["train", "--preset", preset.name][..], &run[..]].concat());
        assert_eq!(stdout(&piped), stdout(&direct), "{}", preset.name);
        assert!(stdout(&direct).lines().count() >= 4);
    }
}

#[test]
fn every_bad_value_named_in_the_settings_issue_exits_2_before_any_work() {
    let out_dir = temp_path("no-such-folder").join("fig1.png");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["train", "--set", "target.std=1e-320"], "target.std"),
        (vec!["train", "--set", "training.k=101"], "training.k"),
        (vec!["train", "--set", "training.beta2=1"], "training.beta2"),
        (
            vec!["train", "--set", "training.lr_d=1000"],
            "training.lr_d",
        ),
        (vec!["study", "--seeds", "0"], "--seeds"),
        (
            vec!["figure", "--out", out_dir.to_str().expect("utf-8")],
            "no-such-folder",
        ),
    ];
    for (args, field) in cases {
        let out = ganscope(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(field), "{args:?}: {}", stderr(&out));
        // No rows, no stage lines, no progress bar: refused before any work.
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
        assert!(!stderr(&out).contains('%'), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out).lines().count(), 1, "{args:?}: one line");
    }
}

#[test]
fn train_prints_no_loss_before_one_exists() {
    let out = ganscope(&[
        "train", "--preset", "fig1", "--iters", "1", "--every", "1", "--format", "csv",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    let column = |name: &str| rows[0].iter().position(|c| *c == name).expect(name);
    for name in ["d_loss", "g_loss", "d_grad", "g_grad"] {
        assert_eq!(rows[1][column(name)], "", "{name} at iteration 0");
        let after: f64 = rows[2][column(name)]
            .parse()
            .expect("a number after a step");
        assert!(
            after.is_finite() && after != 0.0,
            "{name} = {after} after one step"
        );
    }
    assert!(
        rows[1][column("jsd")].parse::<f64>().is_ok(),
        "exact metrics exist at 0"
    );
}

#[test]
fn animate_shows_a_short_runs_every_state_once_and_refuses_no_iterations() {
    let gif = temp_path("short.gif");
    let _ = std::fs::remove_file(&gif);
    let path = gif.to_str().expect("utf-8");
    let out = ganscope(&["animate", "--iters", "5", "--scale", "0.25", "--out", path]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Iterations 0 to 5 are six states: each shown once, not the 60 frames asked.
    assert!(
        stdout(&out).contains("(6 frames of the 60 asked: the run has 6 states"),
        "{}",
        stdout(&out)
    );
    let mut decoder = gif::DecodeOptions::new()
        .read_info(std::fs::File::open(&gif).expect("written"))
        .expect("a GIF");
    let mut frames = 0;
    while decoder.read_next_frame().expect("frame").is_some() {
        frames += 1;
    }
    assert_eq!(frames, 6);

    let none = temp_path("none.gif");
    let out = ganscope(&[
        "animate",
        "--iters",
        "0",
        "--out",
        none.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--iters"), "{}", stderr(&out));
    assert!(!none.exists(), "refused before any work");
}

#[test]
fn train_until_a_bad_condition_exits_2_naming_it_before_any_work() {
    let curves = temp_path("until-curves.csv");
    let _ = std::fs::remove_file(&curves);
    let path = curves.to_str().expect("utf-8");
    for (until, named) in [
        ("jsd<abc", "'jsd<abc'"),
        ("jsd<0.01,bogus", "'bogus'"),
        ("iter>=0", "'iter>=0'"),
        ("grad-g>1", "'grad-g>1'"),
        ("jsd<0.01,", "empty condition"),
        ("mode-lost", "needs a mixture target"),
    ] {
        let out = ganscope(&[
            "train", "--preset", "fig1", "--until", until, "--curves", path,
        ]);
        assert_eq!(out.status.code(), Some(2), "--until {until}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("--until") && err.contains(named), "{err}");
        assert!(err.contains("accepted: jsd<ε"), "{err}");
        assert!(stdout(&out).is_empty(), "no row before the refusal");
        assert!(!curves.exists(), "nothing written for --until {until}");
    }
    let out = ganscope(&["train", "--preset", "fig1", "--check-every", "5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--check-every needs --until"));
}

#[test]
fn train_until_stops_when_a_condition_holds_and_exits_4_when_none_does() {
    // fig1 seed 1: JSD < 0.5 at the first check (iteration 25; 0.023 there).
    let out = ganscope(&["train", "--preset", "fig1", "--until", "jsd<0.5"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("reached: jsd<0.5 held at iteration 25: jsd = "),
        "{text}"
    );
    // The row of the moment it fired is printed, though 25 is not a multiple of --every.
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("25 ")),
        "{text}"
    );

    // iter>=N fires exactly at N, between checks.
    let out = ganscope(&[
        "train",
        "--preset",
        "fig1",
        "--until",
        "jsd<1e-9,iter>=130",
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("reached: iteration=130 held at iteration 130"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out)
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("130,"))
    );

    // Never reached within --iters: exit 4, the last row printed.
    let out = ganscope(&[
        "train", "--preset", "fig1", "--iters", "100", "--every", "50", "--until", "jsd<1e-9",
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no condition held by iteration 100"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out)
            .lines()
            .last()
            .is_some_and(|l| l.trim_start().starts_with("100 "))
    );
}

#[test]
fn train_on_a_mixture_prints_a_column_per_mode_and_mode_lost_stops_a_collapse() {
    let out = ganscope(&[
        "train", "--preset", "collapse", "--iters", "200", "--every", "100", "--format", "csv",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let header = text.lines().next().unwrap_or_default();
    assert_eq!(
        header,
        format!(
            "{},mode_1_mass,mode_2_mass,lost_modes",
            ganscope::sim::record::csv_header()
        )
    );
    for row in text.lines().skip(1) {
        let fields: Vec<&str> = row.split(',').collect();
        assert_eq!(fields.len(), header.split(',').count(), "{row}");
        let masses: Vec<f64> = fields[fields.len() - 3..fields.len() - 1]
            .iter()
            .map(|v| v.parse().expect("a number"))
            .collect();
        let total: f64 = masses.iter().sum();
        assert!((total - 1.0).abs() < 1e-3, "{row}");
    }
    let json = ganscope(&[
        "train", "--preset", "collapse", "--iters", "0", "--format", "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(stdout(&json).trim()).expect("JSON");
    assert_eq!(v["lost_modes"].as_u64(), Some(0), "both modes at the start");

    // collapse seed 1 loses a mode by iteration 300 (checked every 100 iterations).
    let out = ganscope(&[
        "train",
        "--preset",
        "collapse",
        "--iters",
        "2000",
        "--until",
        "mode-lost",
        "--check-every",
        "100",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.lines()
            .next()
            .is_some_and(|h| h.ends_with("modes  lost")),
        "{text}"
    );
    let reached = text.lines().last().unwrap_or_default();
    assert!(
        reached.starts_with("reached: mode-lost held at iteration ")
            && reached.contains("under a fifth of its weight 0.5"),
        "{text}"
    );
}

#[test]
fn sub_steps_print_algorithm_1_line_by_line_and_change_no_number() {
    let args = [
        "train",
        "--preset",
        "vanishing",
        "--iters",
        "3",
        "--every",
        "1",
    ];
    let plain = ganscope(&args);
    let slow = ganscope(&[&args[..], &["--sub-steps"]].concat());
    assert!(slow.status.success(), "{}", stderr(&slow));
    let text = stdout(&slow);
    let lines: Vec<&str> = text.lines().collect();
    // The head start, then per iteration 5 D sub-steps (k = 1) and 3 G sub-steps.
    let steps: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with("iteration "))
        .collect();
    assert_eq!(steps.len(), 1 + 3 * 8, "{text}");
    assert!(steps[0].contains("head start"), "{}", steps[0]);
    assert!(
        steps
            .iter()
            .any(|l| l.contains("5. D's step: D's loss on this minibatch"))
    );
    // The rows are the run's, bit for bit: sub-steps are the phases a step runs.
    let rows: Vec<&&str> = lines
        .iter()
        .filter(|l| !l.starts_with("iteration "))
        .collect();
    let plain_text = stdout(&plain);
    assert_eq!(
        rows,
        plain_text
            .lines()
            .collect::<Vec<_>>()
            .iter()
            .collect::<Vec<_>>()
    );
    for bad in [&["--format", "csv"][..], &["--oracle-d"][..]] {
        let o = ganscope(&[&args[..], &["--sub-steps"], bad].concat());
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert!(stderr(&o).contains("--sub-steps"), "{}", stderr(&o));
    }
}

#[test]
fn a_study_on_two_threads_prints_what_one_thread_prints() {
    let args = [
        "study",
        "--seeds",
        "3",
        "--iters",
        "300",
        "--probe-steps",
        "100",
    ];
    let one = ganscope(&[&args[..], &["--jobs", "1"]].concat());
    let two = ganscope(&[&args[..], &["--jobs", "2"]].concat());
    assert!(one.status.success(), "{}", stderr(&one));
    assert_eq!(stdout(&one), stdout(&two));
    assert_eq!(stdout(&one).lines().count(), 1 + 3 + 1, "{}", stdout(&one));
    for bad in ["0", "257", "two"] {
        let o = ganscope(&[&args[..], &["--jobs", bad]].concat());
        assert_eq!(o.status.code(), Some(2), "--jobs {bad}");
        assert!(stderr(&o).contains("--jobs"), "{}", stderr(&o));
    }
    let o = ganscope(&["figure", "--jobs", "2"]);
    assert_eq!(o.status.code(), Some(2), "--jobs needs --seeds");
}

#[test]
fn compare_saturation_prints_each_run_as_it_trains_alone_on_any_number_of_threads() {
    let args = ["compare", "saturation", "--iters", "50", "--every", "25"];
    let one = ganscope(&[&args[..], &["--jobs", "1"]].concat());
    let two = ganscope(&[&args[..], &["--jobs", "2"]].concat());
    assert!(one.status.success(), "{}", stderr(&one));
    let text = stdout(&one);
    assert_eq!(text, stdout(&two), "the threads change nothing");
    assert!(
        text.contains("[minimax]") && text.contains("[non-saturating]"),
        "{text}"
    );
    // A title, two header lines, then iterations 0, 25 and 50.
    let last = text.lines().last().expect("rows");
    assert_eq!(text.lines().count(), 3 + 3, "{text}");
    let groups: Vec<Vec<f64>> = last
        .split('|')
        .skip(1)
        .map(|g| {
            g.split_whitespace()
                .map(|v| v.parse().expect("a number"))
                .collect()
        })
        .collect();
    assert_eq!(last.split('|').next().map(str::trim), Some("50"));
    // Each group is the run trained alone: `train` prints the same JSD and p_g moments.
    for (loss, group) in ["minimax", "non-saturating"].iter().zip(&groups) {
        let alone = ganscope(&[
            "train",
            "--preset",
            "vanishing",
            "--set",
            &format!("training.loss={loss}"),
            "--iters",
            "50",
            "--every",
            "50",
            "--format",
            "csv",
        ]);
        let row = stdout(&alone).lines().last().expect("a row").to_owned();
        let csv: Vec<f64> = row
            .split(',')
            .map(|v| v.parse().unwrap_or(f64::NAN))
            .collect();
        // jsd, c_g, p_g_mean, p_g_std are the csv's columns 5, 4, 7 and 8.
        for (shown, column) in group.iter().zip([5, 4, 7, 8]) {
            assert!(
                (shown - csv[column]).abs() <= 5e-5,
                "{loss}: {shown} vs {row}"
            );
        }
    }
    // Section 3: the non-saturating G has left the minimax one behind.
    assert!(groups[1][2] > groups[0][2] + 1.0, "p_g means: {groups:?}");

    let list = ganscope(&["compare", "--list"]);
    for name in ["saturation", "g-steps", "k", "optimizer", "beta1"] {
        assert!(stdout(&list).contains(name), "{}", stdout(&list));
    }
    let bad = ganscope(&["compare", "saturaton"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("saturation, g-steps, k, optimizer, beta1"),
        "{}",
        stderr(&bad)
    );
    let bad = ganscope(&["compare", "--vary", "training.k=1,0"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("training.k (run 'k = 0')"),
        "{}",
        stderr(&bad)
    );
    let svg = temp_path("compare.svg");
    let drawn = ganscope(&[
        "compare",
        "--vary",
        "training.k=1,3",
        "--iters",
        "5",
        "--out",
        svg.to_str().expect("path"),
        "--force",
    ]);
    assert!(drawn.status.success(), "{}", stderr(&drawn));
    let text = std::fs::read_to_string(&svg).expect("written");
    assert!(
        text.contains(">k = 1<") && text.contains(">k = 3<"),
        "a panel per run"
    );
}
