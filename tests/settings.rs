//! The settings schema: one description of every setting, read by validation, defaults,
//! `--set`, the settings file and the one-line string.

mod common;

use ganscope::sim::check::Range;
use ganscope::sim::schema::{self, Applies, Kind};
use ganscope::sim::settings::{Preset, Settings};
use ganscope::sim::trainer::Trainer;

/// Settings with every variant of target and noise, so every key occurs in one of them.
fn every_variant() -> Vec<Settings> {
    let mut out: Vec<Settings> = Preset::ALL.iter().map(Preset::settings).collect();
    for kind in ganscope::sim::Target::KINDS {
        out.push(
            Settings::reference()
                .with_override(&format!("target.kind={kind}"))
                .expect("a target kind"),
        );
    }
    for kind in ganscope::sim::Noise::KINDS {
        out.push(
            Settings::reference()
                .with_override(&format!("noise.kind={kind}"))
                .expect("a noise kind"),
        );
    }
    out
}

/// The dotted keys of a settings file.
fn keys(settings: &Settings) -> Vec<String> {
    let doc: toml::Table = toml::from_str(&settings.to_toml()).expect("toml");
    let mut out = Vec::new();
    for (name, value) in &doc {
        match value {
            toml::Value::Table(t) => out.extend(t.keys().map(|k| format!("{name}.{k}"))),
            _ => out.push(name.clone()),
        }
    }
    out
}

#[test]
fn every_key_of_every_settings_file_is_described_once_and_every_description_is_used() {
    let mut seen = std::collections::BTreeSet::new();
    for s in every_variant() {
        for key in keys(&s) {
            assert!(
                schema::find(&key).is_some(),
                "{key} has no entry in the schema"
            );
            seen.insert(key);
        }
    }
    for spec in schema::all() {
        assert!(
            seen.contains(spec.key),
            "{} is described but never used",
            spec.key
        );
    }
}

#[test]
fn a_new_variant_starts_from_the_schemas_defaults_in_the_panel_and_with_set() {
    // One default for a freshly chosen Gaussian, whichever way it is chosen.
    let via_set = Settings::reference()
        .with_override("target.kind=uniform")
        .expect("valid");
    let via_panel = ganscope::sim::Target::with_defaults("uniform").expect("a kind");
    assert_eq!(via_set.target, via_panel);
    let ganscope::sim::Target::Uniform { low, high } = via_panel else {
        panic!("uniform")
    };
    assert_eq!(
        (low, high),
        (
            match schema::TARGET_LOW.kind {
                Kind::Number(v) => v,
                _ => f64::NAN,
            },
            match schema::TARGET_HIGH.kind {
                Kind::Number(v) => v,
                _ => f64::NAN,
            }
        )
    );
    // The reference workload is the schema's defaults and is the benchmark's (README).
    let r = Settings::reference();
    assert_eq!(
        r.target,
        ganscope::sim::Target::Gaussian {
            mean: 4.0,
            std: 0.5
        }
    );
    assert_eq!((r.generator.width, r.generator.depth), (32, 2));
    assert_eq!((r.training.k, r.training.batch_size), (1, 128));
    assert_eq!((r.training.lr_d, r.training.beta1), (1e-3, 0.5));
    assert!(!r.scaling.standardize && !r.scaling.gaussianize_z);
}

/// A few iterations with `settings` are finite (a learning rate may diverge by design,
/// and that divergence is caught; nothing else may fail).
fn trains(settings: Settings) -> Result<(), String> {
    let mut t = Trainer::new(settings).map_err(|e| e.to_string())?;
    t.run(3).map_err(|d| d.to_string())?;
    let a = ganscope::sim::Analysis::new(&t.model(), &ganscope::sim::AnalysisOptions::default());
    if a.metrics.jsd.is_finite() && a.p_g.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err("non-finite analysis".to_owned())
    }
}

/// `value` at `spec`'s key on the reference settings with small learning rates, so that
/// only the setting under test can make a run fail.
fn with_value(spec: &schema::Spec, value: f64) -> Result<Settings, ganscope::sim::SettingError> {
    let mut base = Settings::reference();
    base.training.lr_d = 1e-4;
    base.training.lr_g = 1e-4;
    common::with_value(base, spec, value)
}

#[test]
fn every_numeric_setting_accepts_both_ends_of_its_range_refuses_beyond_them_and_trains_there() {
    let mut tried = 0;
    for spec in common::numeric_specs() {
        for (i, end) in spec.range.extremes().into_iter().enumerate() {
            // An end that a relation between fields rules out (a uniform's low at the
            // top of its range leaves no room for its high) is skipped, and counted.
            let settings = match with_value(spec, end) {
                Ok(s) => s,
                Err(e) if e.field.ends_with(".high") => continue,
                Err(e) => panic!("{} = {end} is in range but refused: {e}", spec.key),
            };
            tried += 1;
            let diverges_by_design =
                matches!(spec.key, "training.lr_d" | "training.lr_g") && i == 1;
            if !diverges_by_design {
                trains(settings).unwrap_or_else(|e| panic!("{} = {end}: {e}", spec.key));
            }
            // One step beyond the end is refused, naming the field and the range.
            let beyond = if i == 0 {
                if spec.range.whole {
                    end - 1.0
                } else {
                    (spec.range.lo.value()).next_down().min(end.next_down())
                }
            } else if spec.range.whole {
                end + 1.0
            } else {
                (spec.range.hi.value()).next_up().max(end.next_up())
            };
            let err = with_value(spec, beyond)
                .expect_err(&format!("{} = {beyond}", spec.key))
                .to_string();
            assert!(
                err.contains(spec.key) && err.contains(&spec.range.to_string()),
                "{}: {err}",
                spec.key
            );
        }
    }
    assert!(tried >= 50, "only {tried} ends tried");
}

#[test]
fn a_standard_deviation_too_small_to_train_is_refused_up_front() {
    for key in ["target.std", "noise.std"] {
        let base = if key == "noise.std" {
            Settings::reference()
                .with_override("noise.kind=normal")
                .expect("valid")
        } else {
            Settings::reference()
        };
        let err = base
            .with_override(&format!("{key}=1e-320"))
            .expect_err("1e-320 cannot train");
        assert_eq!(err.field, key);
        assert!(err.expected.contains("[0.001, 1e4]"), "{err}");
    }
}

#[test]
fn live_settings_change_a_run_in_place_and_the_others_need_a_reset() {
    let base = Settings::reference();
    for spec in schema::all() {
        let (Kind::Number(_) | Kind::Whole(_)) = spec.kind else {
            continue;
        };
        if spec
            .variant
            .is_some_and(|v| v != "gaussian" && v != "uniform")
        {
            continue;
        }
        let Ok(start) = with_value(spec, spec.range.extremes()[0]) else {
            continue;
        };
        let Ok(next) = with_value(spec, spec.range.extremes()[1]) else {
            continue;
        };
        assert_eq!(
            start.needs_reset(&next),
            spec.applies == Applies::Reset,
            "{}",
            spec.key
        );
    }
    let changes = base.changes(&base.with_override("training.k=3").expect("valid"));
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (
            changes[0].key,
            changes[0].from.as_str(),
            changes[0].to.as_str()
        ),
        ("training.k", "1", "3")
    );
}

#[test]
fn the_commented_settings_file_documents_every_key_and_reads_back_the_same() {
    for s in every_variant() {
        let text = s.to_toml_commented();
        assert_eq!(Settings::from_toml(&text).expect("reads back"), s);
        for key in keys(&s) {
            let spec = schema::find(&key).expect("described");
            assert!(text.contains(&spec.comment()), "no comment for {key}");
        }
    }
    assert!(
        schema::K.comment().contains("[1, 100]") && schema::K.comment().contains("applies live"),
        "{}",
        schema::K.comment()
    );
}

#[test]
fn presets_are_one_typed_table_with_unique_names() {
    let mut names: Vec<&str> = Preset::ALL.iter().map(|p| p.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Preset::ALL.len());
    for p in &Preset::ALL {
        assert!(!p.lesson.is_empty());
        p.settings().validate().expect("a preset is valid");
        assert_eq!(Settings::preset(p.name).expect("named"), p.settings());
    }
    let err = Settings::preset("nope").expect_err("unknown");
    assert!(err.expected.contains("fig1") && err.expected.contains("wgan-gp"));
    // A range is printed as the errors print it.
    assert_eq!(Range::whole(1, 4).to_string(), "[1, 4]");
}
