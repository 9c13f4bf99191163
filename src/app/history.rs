//! Metrics over the whole run in bounded memory: when full, every other row is dropped and
//! the recording stride doubles, so a run of millions of iterations keeps an even sample.

pub use crate::sim::record::Row;

/// Most rows kept.
pub const CAPACITY: usize = 2048;

/// A decimating record of [`Row`]s.
#[derive(Clone, Debug)]
pub struct History {
    rows: Vec<Row>,
    stride: u64,
}

impl Default for History {
    fn default() -> Self {
        Self {
            rows: Vec::with_capacity(CAPACITY),
            stride: 1,
        }
    }
}

impl History {
    /// Records `row`. Rows off the current stride are provisional: the next push replaces
    /// them, so the record always reaches the present without growing. A row for the same
    /// iteration as the last (D-only steps) replaces it: one row per iteration.
    pub fn push(&mut self, row: Row) {
        if self.rows.last().is_some_and(|last| {
            !self.on_stride(last) || last.iteration.total_cmp(&row.iteration).is_eq()
        }) {
            self.rows.pop();
        }
        self.rows.push(row);
        if self.rows.len() >= CAPACITY {
            self.stride *= 2;
            let latest = self.rows.pop();
            let stride = self.stride;
            self.rows
                .retain(|r| (r.iteration as u64).is_multiple_of(stride));
            self.rows.extend(latest);
        }
    }

    fn on_stride(&self, row: &Row) -> bool {
        (row.iteration as u64).is_multiple_of(self.stride)
    }

    /// The recorded rows, oldest first.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Forgets everything (a reset).
    pub fn clear(&mut self) {
        self.rows.clear();
        self.stride = 1;
    }

    /// Drops rows after `iteration` (a rewind).
    pub fn truncate_after(&mut self, iteration: f64) {
        self.rows.retain(|r| r.iteration <= iteration);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_million_iterations_stay_bounded_and_span_the_run() {
        let mut h = History::default();
        for i in 0..=1_000_000 {
            h.push(Row {
                iteration: i as f64,
                ..Row::default()
            });
        }
        let rows = h.rows();
        assert!(rows.len() < CAPACITY, "{} rows", rows.len());
        assert!(rows.len() > CAPACITY / 4);
        assert_eq!(rows.first().map(|r| r.iteration), Some(0.0));
        assert_eq!(rows.last().map(|r| r.iteration), Some(1_000_000.0));
        assert!(rows.windows(2).all(|w| w[0].iteration < w[1].iteration));
    }

    #[test]
    fn many_rows_at_one_iteration_keep_one_and_lose_nothing_before() {
        let mut h = History::default();
        for i in 0..=175 {
            h.push(Row {
                iteration: f64::from(i),
                ..Row::default()
            });
        }
        for k in 0..10_000 {
            h.push(Row {
                iteration: 175.0,
                d_loss: f64::from(k),
                ..Row::default()
            });
        }
        assert_eq!(h.rows().len(), 176);
        assert_eq!(h.rows().last().map(|r| r.d_loss), Some(9999.0));
    }
}
