//! One recorded moment of a run, and the one CSV layout for it: the app's "Metrics as CSV"
//! export and `ganscope train --format csv` write the same columns with the same writer.

use super::analysis::Analysis;
use super::trainer::Trainer;

/// One recorded moment of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Row {
    /// Completed iterations.
    pub iteration: f64,
    /// D's minibatch loss.
    pub d_loss: f64,
    /// G's minibatch loss.
    pub g_loss: f64,
    /// V(D, G) by quadrature.
    pub value: f64,
    /// C(G) = max_D V(D, G).
    pub c_g: f64,
    /// JSD(p_data ‖ p_g).
    pub jsd: f64,
    /// Wasserstein-1.
    pub w1: f64,
    /// Mean of p_g.
    pub p_g_mean: f64,
    /// Std of p_g.
    pub p_g_std: f64,
    /// ‖∇θ_D‖ of the last D step.
    pub d_grad: f64,
    /// ‖∇θ_G‖ of the last G step.
    pub g_grad: f64,
    /// max |D − D*| over the central 98 % of (p_data + p_g)/2 (Proposition 1's gap).
    pub d_gap: f64,
}

/// The column names, in the order of [`Row::values`].
pub const COLUMNS: [&str; 12] = [
    "iteration",
    "d_loss",
    "g_loss",
    "value",
    "c_g",
    "jsd",
    "w1",
    "p_g_mean",
    "p_g_std",
    "d_grad",
    "g_grad",
    "d_gap",
];

impl Row {
    /// The minibatch numbers of `trainer` now (the exact metrics left at zero). A network
    /// that has not stepped yet has no loss or gradient: those are NaN, written as an
    /// empty CSV field.
    pub fn minibatch(trainer: &Trainer) -> Self {
        let st = trainer.stats();
        let c = trainer.counters();
        let made = |stepped: bool, v: f64| if stepped { v } else { f64::NAN };
        Self {
            iteration: c.iteration as f64,
            d_loss: made(c.d_steps > 0, st.d_loss),
            g_loss: made(c.g_steps > 0, st.g_loss),
            d_grad: made(c.d_steps > 0, st.d_grad_norm),
            g_grad: made(c.g_steps > 0, st.g_grad_norm),
            ..Self::default()
        }
    }

    /// The minibatch numbers of `trainer` and the exact metrics of `analysis` (of the
    /// trainer's model now).
    pub fn measured(trainer: &Trainer, analysis: &Analysis) -> Self {
        let m = &analysis.metrics;
        Self {
            value: m.value,
            c_g: m.c_g,
            jsd: m.jsd,
            w1: m.w1,
            p_g_mean: m.p_g_mean,
            p_g_std: m.p_g_std,
            d_gap: analysis.optimality_gap(),
            ..Self::minibatch(trainer)
        }
    }

    /// The numbers in [`COLUMNS`] order.
    pub fn values(&self) -> [f64; 12] {
        let Self {
            iteration,
            d_loss,
            g_loss,
            value,
            c_g,
            jsd,
            w1,
            p_g_mean,
            p_g_std,
            d_grad,
            g_grad,
            d_gap,
        } = *self;
        [
            iteration, d_loss, g_loss, value, c_g, jsd, w1, p_g_mean, p_g_std, d_grad, g_grad,
            d_gap,
        ]
    }

    /// The row as a CSV line (no line break); numbers print exactly (shortest round trip),
    /// a number that does not exist yet as an empty field.
    pub fn csv_line(&self) -> String {
        self.values()
            .iter()
            .map(|v| {
                if v.is_nan() {
                    String::new()
                } else {
                    v.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The CSV header line (no line break).
pub fn csv_header() -> String {
    COLUMNS.join(",")
}

/// `rows` as a CSV file: the header, then a line per row, each ending in a line break.
pub fn to_csv(rows: &[Row]) -> String {
    let mut out = csv_header();
    out.push('\n');
    for row in rows {
        out.push_str(&row.csv_line());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_has_one_column_per_name_and_reads_back() {
        let row = Row {
            iteration: 200.0,
            jsd: 0.125,
            d_gap: -1.5e-9,
            ..Row::default()
        };
        let text = to_csv(&[row, Row::default()]);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(csv_header().as_str()));
        let first: Vec<f64> = lines
            .next()
            .expect("a row")
            .split(',')
            .map(|v| v.parse().expect("a number"))
            .collect();
        assert_eq!(first.len(), COLUMNS.len());
        assert_eq!(first, row.values());
        assert!(text.lines().nth(1).is_some_and(|l| l.starts_with("200,")));
        assert_eq!(text.lines().count(), 3);
        let jsd = COLUMNS.iter().position(|c| *c == "jsd");
        assert_eq!(jsd.and_then(|j| first.get(j)), Some(&0.125));
    }
}
