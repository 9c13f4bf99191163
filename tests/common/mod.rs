//! Helpers shared by the settings tests: a setting put at a chosen value.

use ganscope::sim::Target;
use ganscope::sim::schema::{Kind, Spec};
use ganscope::sim::settings::{SettingError, Settings};

/// A mixture with one weight at `w`: two modes weighted w and 1 − w, or one mode of
/// weight w when w is 1 (or more).
fn weights_mixture(w: f64) -> Target {
    if w < 1.0 {
        Target::Mixture {
            weights: vec![w, 1.0 - w],
            means: vec![-2.0, 2.0],
            stds: vec![0.5, 0.5],
        }
    } else {
        Target::Mixture {
            weights: vec![w],
            means: vec![4.0],
            stds: vec![0.5],
        }
    }
}

/// The settings that hold numbers (one or a list), whose ranges the tests walk.
pub fn numeric_specs() -> impl Iterator<Item = &'static Spec> {
    ganscope::sim::schema::all()
        .filter(|s| matches!(s.kind, Kind::Whole(_) | Kind::Number(_) | Kind::Numbers(..)))
}

/// `base` with `value` at `spec`'s key (its variant chosen first; every element of a
/// list), through `--set`'s path, or why that is refused.
pub fn with_value(base: Settings, spec: &Spec, value: f64) -> Result<Settings, SettingError> {
    let mut s = base;
    let (section, _) = spec.section_and_name();
    if let Some(kind) = spec.variant {
        s = s.with_override(&format!("{section}.kind={kind}"))?;
    }
    // The weights must still sum to 1, so they get a mixture of their own.
    if spec.key == "target.weights" {
        s.target = weights_mixture(value);
        return s.validate().map(|()| s);
    }
    let text = match spec.kind {
        Kind::Whole(_) => format!("{}", value as i64),
        Kind::Numbers(default, _) => {
            format!("[{}]", vec![format!("{value:?}"); default.len()].join(", "))
        }
        _ => format!("{value:?}"),
    };
    s.with_override(&format!("{}={text}", spec.key))
}
