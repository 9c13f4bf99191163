//! Accepted ranges and the error for a refused setting. Everything that checks a value
//! (the settings schema, distributions, the command line) builds on this module, which
//! imports nothing else of `sim`.

/// A setting that is out of range or malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingError {
    /// The dotted key, as in the settings file and `--set` (`training.k`).
    pub field: String,
    /// The offending value, as text.
    pub value: String,
    /// What would have been accepted.
    pub expected: String,
}

impl SettingError {
    /// An error for `field`, which holds `value` but must be `expected`.
    pub fn new(field: &str, value: impl std::fmt::Display, expected: &str) -> Self {
        Self {
            field: field.to_owned(),
            value: value.to_string(),
            expected: expected.to_owned(),
        }
    }
}

impl std::fmt::Display for SettingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} = {} is not accepted: expected {}",
            self.field, self.value, self.expected
        )
    }
}

impl std::error::Error for SettingError {}

/// One end of a range: the end value itself is accepted (closed) or not (open).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum End {
    /// `[lo` or `hi]`.
    Closed(f64),
    /// `(lo` or `hi)`.
    Open(f64),
}

impl End {
    /// The end's value, whether or not it is accepted.
    pub fn value(self) -> f64 {
        match self {
            Self::Closed(v) | Self::Open(v) => v,
        }
    }
}

/// The values a numeric setting accepts: an interval with open or closed ends, of whole
/// numbers or of any finite numbers. NaN and ±∞ are never accepted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// Lower end.
    pub lo: End,
    /// Upper end.
    pub hi: End,
    /// Only whole numbers.
    pub whole: bool,
}

impl Range {
    /// Whole numbers in [lo, hi].
    pub const fn whole(lo: u64, hi: u64) -> Self {
        Self {
            lo: End::Closed(lo as f64),
            hi: End::Closed(hi as f64),
            whole: true,
        }
    }

    /// Numbers in [lo, hi].
    pub const fn closed(lo: f64, hi: f64) -> Self {
        Self {
            lo: End::Closed(lo),
            hi: End::Closed(hi),
            whole: false,
        }
    }

    /// Numbers in (lo, hi].
    pub const fn open_closed(lo: f64, hi: f64) -> Self {
        Self {
            lo: End::Open(lo),
            hi: End::Closed(hi),
            whole: false,
        }
    }

    /// Numbers in [lo, hi).
    pub const fn closed_open(lo: f64, hi: f64) -> Self {
        Self {
            lo: End::Closed(lo),
            hi: End::Open(hi),
            whole: false,
        }
    }

    /// Whether `v` is accepted.
    pub fn contains(&self, v: f64) -> bool {
        let above = match self.lo {
            End::Closed(lo) => v >= lo,
            End::Open(lo) => v > lo,
        };
        let below = match self.hi {
            End::Closed(hi) => v <= hi,
            End::Open(hi) => v < hi,
        };
        v.is_finite() && above && below && (!self.whole || v.fract() == 0.0)
    }

    /// The smallest and the largest accepted values: a closed end itself, the nearest
    /// representable number inside an open one (what "both ends of the range" means in
    /// tests).
    pub fn extremes(&self) -> [f64; 2] {
        let lo = match self.lo {
            End::Closed(v) => v,
            End::Open(v) if self.whole => v + 1.0,
            End::Open(v) => v.next_up(),
        };
        let hi = match self.hi {
            End::Closed(v) => v,
            End::Open(v) if self.whole => v - 1.0,
            End::Open(v) => v.next_down(),
        };
        [lo, hi]
    }

    /// What an error says is accepted: "a number in (0, 100]", "a whole number in [1, 100]".
    pub fn expected(&self) -> String {
        let what = if self.whole {
            "a whole number"
        } else {
            "a number"
        };
        format!("{what} in {self}")
    }

    /// Refuses `v` (for `field`) unless it is accepted.
    pub fn check(&self, field: &str, v: f64) -> Result<(), SettingError> {
        if self.contains(v) {
            Ok(())
        } else {
            Err(SettingError::new(field, number_text(v), &self.expected()))
        }
    }
}

impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (open, lo) = match self.lo {
            End::Closed(v) => ('[', v),
            End::Open(v) => ('(', v),
        };
        let (close, hi) = match self.hi {
            End::Closed(v) => (']', v),
            End::Open(v) => (')', v),
        };
        write!(f, "{open}{}, {}{close}", number_text(lo), number_text(hi))
    }
}

/// A number as a person writes it: `100`, `0.5`, `1e4`, `1e-12`, `9007199254740992`.
pub fn number_text(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() || a == 0.0 {
        return format!("{v}");
    }
    let power_of_ten = a >= 1e4 && (a.log10().round() - a.log10()).abs() < 1e-12;
    if power_of_ten || !(1e-3..1e17).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_ends_refuse_the_end_and_accept_the_next_number_inside() {
        let r = Range::open_closed(0.0, 100.0);
        assert!(!r.contains(0.0) && r.contains(100.0) && !r.contains(100.0_f64.next_up()));
        let [lo, hi] = r.extremes();
        assert!(r.contains(lo) && lo > 0.0 && hi == 100.0);
        let b = Range::closed_open(0.0, 1.0);
        let [lo, hi] = b.extremes();
        assert!(lo == 0.0 && hi < 1.0 && b.contains(hi) && !b.contains(1.0));
        assert!(!b.contains(f64::NAN) && !b.contains(f64::INFINITY));
    }

    #[test]
    fn whole_ranges_refuse_fractions_and_name_themselves() {
        let r = Range::whole(1, 100);
        assert!(r.contains(1.0) && r.contains(100.0) && !r.contains(1.5) && !r.contains(0.0));
        assert_eq!(r.expected(), "a whole number in [1, 100]");
        assert_eq!(
            Range::open_closed(0.0, 1e4).expected(),
            "a number in (0, 1e4]"
        );
        assert_eq!(Range::closed(1e-12, 0.5).to_string(), "[1e-12, 0.5]");
        let err = r.check("training.k", 0.0).expect_err("0 is out");
        assert_eq!(
            err.to_string(),
            "training.k = 0 is not accepted: expected a whole number in [1, 100]"
        );
    }
}
