//! The one JUnit XML writer. `pounce test` (a suite per rule, a case per test, a suite per
//! invalid file) and `pounce lint --format junit` (one suite, a case per file) both describe
//! their run as [`Suites`]; counts are derived from the cases and every text is escaped with
//! [`escape::xml`](super::escape::xml).

use super::escape::xml;
use std::fmt::Write as _;

/// A whole report: `<testsuites>`.
#[derive(Clone, Debug)]
pub struct Suites {
    /// Its `name`.
    pub name: String,
    /// Whether `<testsuites>` states an `errors` count (even 0).
    pub count_errors: bool,
    /// The suites, in order.
    pub suites: Vec<Suite>,
}

/// One `<testsuite>`; its `errors` count is stated when it has errored cases.
#[derive(Clone, Debug)]
pub struct Suite {
    /// Its `name`.
    pub name: String,
    /// Its `file` attribute, if any.
    pub file: Option<String>,
    /// Its cases, in order.
    pub cases: Vec<Case>,
}

/// One `<testcase>`.
#[derive(Clone, Debug)]
pub struct Case {
    /// Its `classname`.
    pub classname: String,
    /// Its `name`.
    pub name: String,
    /// How it ended.
    pub outcome: Outcome,
}

/// How a case ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Passed: an empty `<testcase/>`.
    Passed,
    /// `<failure message="...">body</failure>` (self-closing without a body).
    Failure {
        /// The `message` attribute.
        message: String,
        /// The element's text.
        body: Option<String>,
    },
    /// `<error message="...">body</error>` (self-closing without a body).
    Error {
        /// The `message` attribute.
        message: String,
        /// The element's text.
        body: Option<String>,
    },
}

impl Outcome {
    fn is_failure(&self) -> bool {
        matches!(self, Outcome::Failure { .. })
    }
    fn is_error(&self) -> bool {
        matches!(self, Outcome::Error { .. })
    }
}

/// Cases, failed cases and errored cases among `cases`.
fn counts<'a>(cases: impl Iterator<Item = &'a Case>) -> (usize, usize, usize) {
    cases.fold((0, 0, 0), |(t, f, e), c| {
        (
            t + 1,
            f + usize::from(c.outcome.is_failure()),
            e + usize::from(c.outcome.is_error()),
        )
    })
}

impl Suites {
    /// The XML document, with its declaration and a final newline.
    pub fn to_xml(&self) -> String {
        let (tests, failures, errors) = counts(self.suites.iter().flat_map(|s| &s.cases));
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = write!(
            out,
            "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\"",
            xml(&self.name)
        );
        if self.count_errors {
            let _ = write!(out, " errors=\"{errors}\"");
        }
        out.push_str(">\n");
        for s in &self.suites {
            s.write(&mut out);
        }
        out.push_str("</testsuites>\n");
        out
    }
}

impl Suite {
    fn write(&self, out: &mut String) {
        let (tests, failures, errors) = counts(self.cases.iter());
        let _ = write!(
            out,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\"",
            xml(&self.name)
        );
        if errors > 0 {
            let _ = write!(out, " errors=\"{errors}\"");
        }
        if let Some(f) = &self.file {
            let _ = write!(out, " file=\"{}\"", xml(f));
        }
        out.push_str(">\n");
        for c in &self.cases {
            c.write(out);
        }
        out.push_str("  </testsuite>\n");
    }
}

impl Case {
    fn write(&self, out: &mut String) {
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\"",
            xml(&self.classname),
            xml(&self.name)
        );
        let (element, message, body) = match &self.outcome {
            Outcome::Passed => {
                out.push_str("/>\n");
                return;
            }
            Outcome::Failure { message, body } => ("failure", message, body),
            Outcome::Error { message, body } => ("error", message, body),
        };
        let _ = write!(out, ">\n      <{element} message=\"{}\"", xml(message));
        match body {
            Some(b) => {
                let _ = write!(out, ">{}</{element}>", xml(b));
            }
            None => out.push_str("/>"),
        }
        out.push_str("\n    </testcase>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_come_from_the_cases() {
        let case = |name: &str, outcome| Case {
            classname: "c".into(),
            name: name.into(),
            outcome,
        };
        let doc = Suites {
            name: "p".into(),
            count_errors: true,
            suites: vec![
                Suite {
                    name: "s'1".into(),
                    file: Some("a<b>.yml".into()),
                    cases: vec![
                        case("ok", Outcome::Passed),
                        case(
                            "bad",
                            Outcome::Failure {
                                message: "m".into(),
                                body: None,
                            },
                        ),
                    ],
                },
                Suite {
                    name: "x".into(),
                    file: None,
                    cases: vec![case(
                        "x",
                        Outcome::Error {
                            message: "invalid".into(),
                            body: Some("x:1:1: \u{1}".into()),
                        },
                    )],
                },
            ],
        };
        assert_eq!(
            doc.to_xml(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <testsuites name=\"p\" tests=\"3\" failures=\"1\" errors=\"1\">\n\
             \x20 <testsuite name=\"s&apos;1\" tests=\"2\" failures=\"1\" file=\"a&lt;b&gt;.yml\">\n\
             \x20   <testcase classname=\"c\" name=\"ok\"/>\n\
             \x20   <testcase classname=\"c\" name=\"bad\">\n\
             \x20     <failure message=\"m\"/>\n\
             \x20   </testcase>\n\
             \x20 </testsuite>\n\
             \x20 <testsuite name=\"x\" tests=\"1\" failures=\"0\" errors=\"1\">\n\
             \x20   <testcase classname=\"c\" name=\"x\">\n\
             \x20     <error message=\"invalid\">x:1:1: &#1;</error>\n\
             \x20   </testcase>\n\
             \x20 </testsuite>\n\
             </testsuites>\n"
        );
    }
}
