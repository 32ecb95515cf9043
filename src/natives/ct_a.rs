//! Natives for the ported CloudTrail rules (ct_a part); see rules/README.md.

use super::Registry;

/// Registers the natives of this family.
pub fn register(_r: &mut Registry) {}
