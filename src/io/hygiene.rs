//! Keeps secrets out of core dumps: the process is made non-dumpable and its core
//! size limit is set to zero for as long as it runs.

/// What [`forbid_core_dumps`] could not do, in plain words (empty when all went well).
#[must_use]
pub fn forbid_core_dumps() -> Vec<String> {
    #[cfg_attr(not(target_os = "linux"), allow(unused_mut))]
    let mut problems = Vec::new();
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{DumpableBehavior, set_dumpable_behavior};
        if let Err(e) = set_dumpable_behavior(DumpableBehavior::NotDumpable) {
            problems.push(format!("could not mark the process non-dumpable ({e})"));
        }
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Resource, Rlimit, setrlimit};
        let none = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        if let Err(e) = setrlimit(Resource::Core, none) {
            problems.push(format!("could not set the core size limit to 0 ({e})"));
        }
    }
    problems
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn core_dumps_are_off_afterwards() {
        // A process-wide change; harmless for the test binary, which never needs a core.
        assert_eq!(super::forbid_core_dumps(), Vec::<String>::new());
        let limit = rustix::process::getrlimit(rustix::process::Resource::Core);
        assert_eq!((limit.current, limit.maximum), (Some(0), Some(0)));
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            rustix::process::DumpableBehavior::NotDumpable
        );
    }
}
