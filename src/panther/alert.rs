//! Alert outputs as data: `Title`, `Dedup`, `AlertContext` and `DynamicSeverities` written as
//! templates over the event. A template is text with `{{ expr }}` holes, each an expression of
//! the condition language (paths, `udm("...")`, natives); values render as Python prints them
//! (`None`, `True`, `['a', 'b']`), as Panther's titles do. A missing value renders `None`.

use crate::Registry;
use crate::stdlib::python;
use pounce_lang::Program;
use pounce_lang::error::{CompileError, ConditionError, ErrorCode};
use pounce_lang::eval::Env;
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

    /// Renders to text.
    pub fn render(&self, doc: &Value, env: &Env) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Expr(prog) => {
                    out.push_str(&python::str_of(prog.value_with(doc, env).as_ref()))
                }
            }
        }
        out
    }

    /// Renders to a JSON value: a template that is one expression gives that expression's value
    /// (null when missing); anything else gives the rendered text.
    pub fn render_value(&self, doc: &Value, env: &Env) -> Value {
        match self.parts.as_slice() {
            [Part::Expr(prog)] => prog.value_with(doc, env).unwrap_or(Value::Null),
            _ => Value::String(self.render(doc, env)),
        }
    }
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
    fn render(&self, doc: &Value, env: &Env) -> Value {
        match self {
            ContextSpec::Template(t) => t.render_value(doc, env),
            ContextSpec::Object(items) => Value::Object(
                items
                    .iter()
                    .map(|(k, s)| (k.clone(), s.render(doc, env)))
                    .collect(),
            ),
            ContextSpec::List(items) => {
                Value::Array(items.iter().map(|s| s.render(doc, env)).collect())
            }
            ContextSpec::Literal(v) => v.clone(),
        }
    }
    /// Renders the top level: a list merges its objects in order.
    pub fn render_top(&self, doc: &Value, env: &Env) -> Value {
        match self {
            ContextSpec::List(items) => {
                let mut out = Map::new();
                for i in items {
                    if let Value::Object(m) = i.render(doc, env) {
                        out.extend(m);
                    }
                }
                Value::Object(out)
            }
            other => other.render(doc, env),
        }
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
    /// `severity`) over `doc`. With no `Title`, the title is `default_title`; with no `Dedup`,
    /// the dedup string is the title; a `Dedup` that renders empty or `None` becomes
    /// `defaultDedupString:<id>`, as in Panther.
    pub fn render(
        &self,
        id: &str,
        default_title: &str,
        severity: &str,
        doc: &Value,
        env: &Env,
    ) -> Alert {
        let title = self
            .title
            .as_ref()
            .map_or_else(|| default_title.to_string(), |t| t.render(doc, env));
        let dedup = match &self.dedup {
            None => title.clone(),
            Some(t) => {
                let d = t.render(doc, env);
                if d.is_empty() || d == "None" {
                    format!("defaultDedupString:{id}")
                } else {
                    d
                }
            }
        };
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

#[cfg(test)]
#[allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reg() -> Registry {
        crate::standard_registry()
    }

    #[test]
    fn templates() {
        let t = Template::compile(
            "User [{{ userIdentity.arn }}] did {{eventName}} {{ missing }}",
            &reg(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let doc = json!({"userIdentity": {"arn": "arn:x"}, "eventName": "Stop"});
        assert_eq!(
            t.render(&doc, &Env::default()),
            "User [arn:x] did Stop None"
        );
        let v = Template::compile("{{ a[*].b }}", &reg())
            .map(|t| t.render_value(&json!({"a": [{"b": 1}, {"b": 2}]}), &Env::default()));
        assert_eq!(v.ok(), Some(json!([1, 2])));
        let bad = Template::compile("x {{ a ==  }}", &reg())
            .err()
            .unwrap_or_default();
        assert!(bad.first().is_some_and(|e| e.span.start >= 5));
        assert!(Template::compile("x {{ a", &reg()).is_err());
    }

    #[test]
    fn dedup_and_severity() {
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
    }
}
