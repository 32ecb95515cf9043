//! Alert outputs as data: `Title`, `Dedup`, `AlertContext` and `DynamicSeverities` written as
//! templates over the event, rendered as panther_analysis_tool (v1) renders a rule's Python
//! alert functions. A template is text with `{{ expr }}` holes, each an expression of the
//! condition language; values print as Panther's Python prints them ([`python::py_str`]:
//! `None`, `True`, `['a', 'b']` for a list the rule built, `ImmutableList(('a',))` for one read
//! from the event). A missing value prints `None` (Python's `.get()` of an absent key); an
//! undefined one (a failed function, `error(...)`) makes the template *fail*, as the upstream
//! function raises, and the output falls back as Panther's does (docs/RULES.md).

use crate::Registry;
use crate::stdlib::python;
use pounce_lang::Program;
use pounce_lang::error::{CompileError, ConditionError, ErrorCode};
use pounce_lang::eval::{Env, Outcome};
use serde_json::{Map, Value};

/// One piece of a template.
#[derive(Debug)]
enum Part {
    Text(String),
    /// An expression.
    Expr(Program),
}

/// A compiled template.
#[derive(Debug)]
pub struct Template {
    parts: Vec<Part>,
    source: String,
}

impl Template {
    /// The compiled expressions of the template's holes.
    pub fn programs(&self) -> impl Iterator<Item = &Program> {
        self.parts.iter().filter_map(|p| match p {
            Part::Expr(prog) => Some(prog),
            Part::Text(_) => None,
        })
    }
    /// Compiles `src`; errors carry spans in `src`.
    pub fn compile(src: &str, registry: &Registry) -> Result<Template, Vec<ConditionError>> {
        let mut parts = Vec::new();
        let mut errors = Vec::new();
        let mut rest = src;
        let mut offset = 0;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Text(rest.get(..open).unwrap_or("").to_string()));
            }
            let after = rest.get(open + 2..).unwrap_or("");
            let Some(close) = after.find("}}") else {
                let at = offset + open;
                errors.push(
                    ConditionError::new(
                        ErrorCode::E0001,
                        pounce_lang::ast::Span::new(at, at + 2),
                        "unclosed `{{` in template",
                        "opened here",
                    )
                    .with_help("close the expression with `}}`"),
                );
                return Err(errors);
            };
            let expr = after.get(..close).unwrap_or("");
            let expr_at = offset + open + 2;
            match crate::compile(expr, registry) {
                Ok(p) => parts.push(Part::Expr(p)),
                Err(CompileError { errors: errs, .. }) => {
                    errors.extend(errs.into_iter().map(|mut e| {
                        e.span = pounce_lang::ast::Span::new(
                            e.span.start + expr_at,
                            e.span.end + expr_at,
                        );
                        e
                    }))
                }
            }
            let consumed = open + 2 + close + 2;
            offset += consumed;
            rest = rest.get(consumed..).unwrap_or("");
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        if errors.is_empty() {
            Ok(Template {
                parts,
                source: src.to_string(),
            })
        } else {
            Err(errors)
        }
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders to text, as an f-string would: `Err` when a hole's value is undefined (the
    /// upstream function raised).
    pub fn render(&self, doc: &Value, env: &Env) -> Result<String, Failed> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Expr(prog) => match prog.outcome_with(doc, env) {
                    Outcome::Value {
                        value,
                        from_document,
                    } => out.push_str(&python::py_str(&value, from_document)),
                    Outcome::Missing => out.push_str("None"),
                    Outcome::Undefined => return Err(self.failed()),
                },
            }
        }
        Ok(out)
    }

    /// What the upstream function returns: a template that is exactly one hole returns that
    /// value (null when missing); any other template returns its text. `Err` when a hole's
    /// value is undefined.
    pub fn returned(&self, doc: &Value, env: &Env) -> Result<Value, Failed> {
        match self.parts.as_slice() {
            [Part::Expr(prog)] => match prog.outcome_with(doc, env) {
                Outcome::Value { value, .. } => Ok(value),
                Outcome::Missing => Ok(Value::Null),
                Outcome::Undefined => Err(self.failed()),
            },
            _ => self.render(doc, env).map(Value::String),
        }
    }

    fn failed(&self) -> Failed {
        Failed {
            template: self.source.clone(),
        }
    }
}

/// A template whose value is undefined: where the upstream alert function raises.
#[derive(Clone, Debug, PartialEq)]
pub struct Failed {
    /// The template as written.
    pub template: String,
}

/// `AlertContext`: a mapping of templates (nested mappings and lists allowed), or a list of
/// such mappings and single templates whose objects are merged in order.
#[derive(Debug)]
pub enum ContextSpec {
    /// A template string.
    Template(Template),
    /// A mapping, key by key.
    Object(Vec<(String, ContextSpec)>),
    /// A list: rendered element by element, or merged when it is the top level.
    List(Vec<ContextSpec>),
    /// A literal (number, boolean, null).
    Literal(Value),
}

impl ContextSpec {
    /// Every compiled expression of the context.
    pub fn programs(&self) -> Vec<&Program> {
        match self {
            ContextSpec::Template(t) => t.programs().collect(),
            ContextSpec::Object(m) => m.iter().flat_map(|(_, c)| c.programs()).collect(),
            ContextSpec::List(l) => l.iter().flat_map(ContextSpec::programs).collect(),
            ContextSpec::Literal(_) => Vec::new(),
        }
    }
    /// Compiles a YAML value into a context spec; errors are (path in the context, errors).
    pub fn compile(
        v: &Value,
        registry: &Registry,
    ) -> Result<ContextSpec, (String, Vec<ConditionError>)> {
        Self::compile_at(v, registry, "AlertContext")
    }
    fn compile_at(
        v: &Value,
        registry: &Registry,
        at: &str,
    ) -> Result<ContextSpec, (String, Vec<ConditionError>)> {
        Ok(match v {
            Value::String(s) => ContextSpec::Template(
                Template::compile(s, registry).map_err(|e| (at.to_string(), e))?,
            ),
            Value::Object(m) => ContextSpec::Object(
                m.iter()
                    .map(|(k, x)| {
                        Ok((
                            k.clone(),
                            Self::compile_at(x, registry, &format!("{at}.{k}"))?,
                        ))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Value::Array(a) => ContextSpec::List(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| Self::compile_at(x, registry, &format!("{at}[{i}]")))
                    .collect::<Result<_, _>>()?,
            ),
            other => ContextSpec::Literal(other.clone()),
        })
    }
    fn render(&self, doc: &Value, env: &Env) -> Result<Value, Failed> {
        Ok(match self {
            ContextSpec::Template(t) => t.returned(doc, env)?,
            ContextSpec::Object(items) => Value::Object(
                items
                    .iter()
                    .map(|(k, s)| Ok((k.clone(), s.render(doc, env)?)))
                    .collect::<Result<_, Failed>>()?,
            ),
            ContextSpec::List(items) => Value::Array(
                items
                    .iter()
                    .map(|s| s.render(doc, env))
                    .collect::<Result<_, _>>()?,
            ),
            ContextSpec::Literal(v) => v.clone(),
        })
    }
    /// Renders the top level: a list merges its objects in order. When a template fails (the
    /// upstream `alert_context` raised), the context is `{"_error": ...}`, as Panther's.
    pub fn render_top(&self, doc: &Value, env: &Env) -> Value {
        let rendered = match self {
            ContextSpec::List(items) => items
                .iter()
                .map(|i| i.render(doc, env))
                .collect::<Result<Vec<_>, _>>()
                .map(|objects| {
                    let mut out = Map::new();
                    for o in objects {
                        if let Value::Object(m) = o {
                            out.extend(m);
                        }
                    }
                    Value::Object(out)
                }),
            other => other.render(doc, env),
        };
        rendered.unwrap_or_else(|f| {
            let mut m = Map::new();
            m.insert(
                "_error".into(),
                Value::String(format!("undefined value in `{}`", f.template)),
            );
            Value::Object(m)
        })
    }
}

/// A `DynamicSeverities` entry: the first whose condition holds sets the severity.
#[derive(Debug)]
pub struct SeverityRule {
    /// The severity it sets (`Info` … `Critical`).
    pub severity: String,
    /// When.
    pub condition: Program,
}

/// What a rule produces when it alerts.
#[derive(Debug, Default)]
pub struct AlertSpec {
    /// `Title`.
    pub title: Option<Template>,
    /// `Dedup`.
    pub dedup: Option<Template>,
    /// `AlertContext`.
    pub context: Option<ContextSpec>,
    /// `DynamicSeverities`.
    pub severities: Vec<SeverityRule>,
}

impl AlertSpec {
    /// Every compiled expression of the alert outputs: title, dedup, context, severities.
    pub fn programs(&self) -> Vec<&Program> {
        let mut out: Vec<&Program> = Vec::new();
        out.extend(self.title.iter().flat_map(Template::programs));
        out.extend(self.dedup.iter().flat_map(Template::programs));
        out.extend(self.context.iter().flat_map(ContextSpec::programs));
        out.extend(self.severities.iter().map(|s| &s.condition));
        out
    }
}

/// A rendered alert.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Alert {
    /// The title.
    pub title: String,
    /// The dedup string.
    pub dedup: String,
    /// The severity.
    pub severity: String,
    /// The alert context (an object, or null when the rule has none).
    pub context: Value,
}

impl AlertSpec {
    /// True when nothing is specified.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.dedup.is_none()
            && self.context.is_none()
            && self.severities.is_empty()
    }

    /// Renders the alert of rule `id` (default title `default_title`, default severity
    /// `severity`) over `doc`, with panther_analysis_tool's (v1) fallbacks:
    /// - title: the `Title` when it gives a string; the RuleID when it fails or gives anything
    ///   else (Panther requires a string); with no `Title`, `default_title`;
    /// - dedup: the `Dedup` when it gives a non-empty string (the text `None` included);
    ///   `defaultDedupString:<id>` when it fails or gives null, `""` or a non-string; with no
    ///   `Dedup`, the title a `Title` gave (unless empty), else `defaultDedupString:<id>`;
    /// - both cut to 1000 characters as Panther cuts them (`... (truncated)` at the end);
    /// - context: `{"_error": ...}` when a template of it fails.
    pub fn render(
        &self,
        id: &str,
        default_title: &str,
        severity: &str,
        doc: &Value,
        env: &Env,
    ) -> Alert {
        let default_dedup = || format!("defaultDedupString:{id}");
        let title = self.title.as_ref().map(|t| match t.returned(doc, env) {
            Ok(Value::String(s)) => truncate(s),
            _ => id.to_string(),
        });
        let dedup = match &self.dedup {
            None => title
                .clone()
                .filter(|t| !t.is_empty())
                .unwrap_or_else(default_dedup),
            Some(t) => match t.returned(doc, env) {
                Ok(Value::String(s)) if !s.is_empty() => truncate(s),
                _ => default_dedup(),
            },
        };
        let title = title.unwrap_or_else(|| default_title.to_string());
        let severity = self
            .severities
            .iter()
            .find(|s| s.condition.eval_with(doc, env))
            .map_or_else(|| severity.to_string(), |s| s.severity.clone());
        let context = self
            .context
            .as_ref()
            .map_or(Value::Null, |c| c.render_top(doc, env));
        Alert {
            title,
            dedup,
            severity,
            context,
        }
    }
}

/// Longest title or dedup string Panther keeps, in characters.
const MAX_TEXT: usize = 1000;

/// `s` cut as Panther cuts a title or dedup string longer than [`MAX_TEXT`] characters.
fn truncate(s: String) -> String {
    const MARK: &str = "... (truncated)";
    if s.chars().count() <= MAX_TEXT {
        return s;
    }
    let keep: String = s.chars().take(MAX_TEXT - MARK.len()).collect();
    format!("{keep}{MARK}")
}

#[cfg(test)]
#[allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reg() -> Registry {
        crate::standard_registry()
    }

    fn template(src: &str) -> Template {
        Template::compile(src, &reg()).unwrap_or_else(|e| panic!("{src}: {e:?}"))
    }

    fn spec(title: Option<&str>, dedup: Option<&str>) -> AlertSpec {
        AlertSpec {
            title: title.map(template),
            dedup: dedup.map(template),
            ..AlertSpec::default()
        }
    }

    #[test]
    fn templates() {
        let t = template("User [{{ userIdentity.arn }}] did {{eventName}} {{ missing }}");
        let doc = json!({"userIdentity": {"arn": "arn:x"}, "eventName": "Stop"});
        assert_eq!(
            t.render(&doc, &Env::default()).ok().as_deref(),
            Some("User [arn:x] did Stop None")
        );
        let v =
            template("{{ a[*].b }}").returned(&json!({"a": [{"b": 1}, {"b": 2}]}), &Env::default());
        assert_eq!(v.ok(), Some(json!([1, 2])));
        let bad = Template::compile("x {{ a ==  }}", &reg())
            .err()
            .unwrap_or_default();
        assert!(bad.first().is_some_and(|e| e.span.start >= 5));
        assert!(Template::compile("x {{ a", &reg()).is_err());
    }

    #[test]
    fn values_print_as_panthers_python_prints_them() {
        let doc = json!({"l": ["a"], "o": {"k": "v"}, "t": true, "n": null, "f": 2.0});
        let t = template(
            "{{ l }} {{ o }} {{ t }} {{ n }} {{ f }} {{ map(l, @) }} {{ {\"k\": o.k} }} {{ l ?? 1 }}",
        );
        assert_eq!(
            t.render(&doc, &Env::default()).ok().as_deref(),
            Some(
                "ImmutableList(('a',)) ImmutableCaseInsensitiveDict({'k': 'v'}) True None 2.0 ['a'] {'k': 'v'} ImmutableList(('a',))"
            )
        );
        // py_str prints as a hole does.
        let p = template("{{ \"x\" + py_str(l) + py_str(map(l, @)) }}");
        assert_eq!(
            p.render(&doc, &Env::default()).ok().as_deref(),
            Some("xImmutableList(('a',))['a']")
        );
    }

    #[test]
    fn an_undefined_hole_fails_the_template() {
        let doc = json!({"s": "a", "n": null});
        for src in ["x {{ s + 1 }}", "{{ error(\"raised\") }}", "{{ lower(n) }}"] {
            assert!(
                template(src).render(&doc, &Env::default()).is_err(),
                "{src}"
            );
        }
        assert!(
            template("{{ n + \"x\" ?? \"d\" }}")
                .render(&doc, &Env::default())
                .is_ok()
        );
    }

    #[test]
    fn fallbacks_follow_panther_analysis_tool() {
        let env = Env::default();
        let doc = json!({"a": "A", "n": null, "num": 12, "empty": ""});
        let alert = |s: &AlertSpec| s.render("R.1", "Display", "High", &doc, &env);
        // Neither Title nor Dedup: the DisplayName, and the default dedup string.
        let a = alert(&spec(None, None));
        assert_eq!(
            (a.title.as_str(), a.dedup.as_str()),
            ("Display", "defaultDedupString:R.1")
        );
        // A Title and no Dedup: the title is the dedup string.
        let a = alert(&spec(Some("t {{ a }}"), None));
        assert_eq!((a.title.as_str(), a.dedup.as_str()), ("t A", "t A"));
        // A Title that raises: the RuleID, also as the dedup string.
        let a = alert(&spec(Some("t {{ a + 1 }}"), None));
        assert_eq!((a.title.as_str(), a.dedup.as_str()), ("R.1", "R.1"));
        // A Title that returns a non-string or None: the RuleID.
        assert_eq!(alert(&spec(Some("{{ num }}"), None)).title, "R.1");
        assert_eq!(alert(&spec(Some("{{ n }}"), None)).title, "R.1");
        // A Dedup text holding None is kept; a Dedup returning None, "", a number or raising
        // is the default.
        assert_eq!(alert(&spec(None, Some("{{ py_str(n) }}"))).dedup, "None");
        assert_eq!(alert(&spec(None, Some("k:{{ n }}"))).dedup, "k:None");
        for d in [
            "{{ n }}",
            "{{ missing }}",
            "{{ empty }}",
            "{{ num }}",
            "{{ error(\"x\") }}",
        ] {
            assert_eq!(
                alert(&spec(Some("t"), Some(d))).dedup,
                "defaultDedupString:R.1",
                "{d}"
            );
        }
        // An empty title gives the default dedup string.
        assert_eq!(
            alert(&spec(Some("{{ empty }}"), None)).dedup,
            "defaultDedupString:R.1"
        );
        // Long titles are cut as Panther cuts them.
        let long = alert(&spec(Some(&"x".repeat(1200)), None)).title;
        assert_eq!(long.chars().count(), 1000);
        assert!(long.ends_with("x... (truncated)"));
    }

    #[test]
    fn context_and_severity() {
        let spec = AlertSpec {
            title: Template::compile("t {{ a }}", &reg()).ok(),
            dedup: Template::compile("{{ missing }}", &reg()).ok(),
            context: ContextSpec::compile(&json!([{"x": "{{ a }}"}, {"y": 1}]), &reg()).ok(),
            severities: vec![SeverityRule {
                severity: "Low".into(),
                condition: crate::compile("a == 1", &reg()).unwrap_or_else(|e| panic!("{e}")),
            }],
        };
        let a = spec.render("R.1", "Default", "High", &json!({"a": 1}), &Env::default());
        assert_eq!(a.title, "t 1");
        assert_eq!(a.dedup, "defaultDedupString:R.1");
        assert_eq!(a.severity, "Low");
        assert_eq!(a.context, json!({"x": 1, "y": 1}));
        // A context template that raises: Panther's `_error` context.
        let failing =
            ContextSpec::compile(&json!([{"x": "{{ a }}"}, {"y": "{{ a + \"s\" }}"}]), &reg())
                .unwrap_or_else(|e| panic!("{e:?}"));
        let c = failing.render_top(&json!({"a": 1}), &Env::default());
        assert_eq!(c, json!({"_error": "undefined value in `{{ a + \"s\" }}`"}));
    }
}
