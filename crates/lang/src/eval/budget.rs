//! The evaluation budget: a count of steps (nodes evaluated, quantifier elements, function
//! calls and their argument combinations, JSONPath results, string and regex work by length)
//! against a limit, so that no record and no condition can stall an evaluation. Once over the
//! limit, evaluation unwinds at once (every node gives false or undefined) and the caller gets
//! [`BudgetExceeded`] instead of a verdict.

use std::cell::Cell;

/// The steps one evaluation of one condition may take unless the environment says otherwise.
/// The largest any shipped rule takes on any of its test documents or benchmark records is
/// far below it (docs/ROBUSTNESS.md gives the measurement).
pub const DEFAULT_MAX_STEPS: u64 = 5_000_000;

/// Why an evaluation gave no verdict: it took more steps than its budget allows.
#[derive(Clone, Copy, Debug, Eq, PartialEq, thiserror::Error)]
#[error("evaluation budget exceeded after {steps} steps")]
pub struct BudgetExceeded {
    /// The steps counted when evaluation stopped.
    pub steps: u64,
}

/// Steps taken against a limit.
#[derive(Debug)]
pub(crate) struct Budget {
    limit: u64,
    used: Cell<u64>,
}

impl Budget {
    /// A budget of `limit` steps.
    pub(crate) fn new(limit: u64) -> Self {
        Budget {
            limit,
            used: Cell::new(0),
        }
    }
    /// Spends `n` steps; true when the budget is exceeded (now or before).
    #[inline]
    pub(crate) fn spend(&self, n: u64) -> bool {
        let used = self.used.get().saturating_add(n);
        self.used.set(used);
        used > self.limit
    }
    /// True when more steps were spent than allowed.
    #[inline]
    pub(crate) fn exceeded(&self) -> bool {
        self.used.get() > self.limit
    }
    /// The steps spent.
    pub(crate) fn used(&self) -> u64 {
        self.used.get()
    }
    /// The outcome of an evaluation that gave `v`: `v`, or the error when over budget.
    pub(crate) fn check<T>(&self, v: T) -> Result<T, BudgetExceeded> {
        if self.exceeded() {
            Err(BudgetExceeded { steps: self.used() })
        } else {
            Ok(v)
        }
    }
}
