//! Natives for the ported AWS policies (storage family); see docs/NATIVES.md.

use super::Registry;

/// Registers the natives of this family.
pub fn register(_r: &mut Registry) {}
