//! The functions conditions call, registered into the language's [`Registry`].

mod cloudtrail;
mod compute;
mod ct_a;
mod ct_b;
mod ct_c;
mod general;
mod iam;
mod network;
mod services;
mod storage;
mod time;

pub use general::{fnmatch, truthy};
pub use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
pub use time::parse_timestamp;

/// Registers every family of functions.
pub fn register(r: &mut Registry) {
    general::register(r);
    network::register(r);
    time::register(r);
    iam::register(r);
    storage::register(r);
    compute::register(r);
    services::register(r);
    cloudtrail::register(r);
    ct_a::register(r);
    ct_b::register(r);
    ct_c::register(r);
}

#[cfg(test)]
mod tests {
    #[test]
    fn standard_natives_have_unique_names() {
        let r = crate::standard_registry();
        assert!(
            r.duplicates().is_empty(),
            "registered twice: {:?}",
            r.duplicates()
        );
    }
}
