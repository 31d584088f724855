//! User expressions (`value`, `condition`): parsed as one SQL expression, checked against an
//! allow-list (no subqueries, no table references, only scalar functions from a fixed list),
//! then re-emitted from the syntax tree with every column reference resolved and quoted.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use datafusion::arrow::datatypes::Schema;
use datafusion::sql::sqlparser::ast::{
    CastKind, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, ObjectNamePart, Query,
    Statement, TableFactor, Visit, Visitor, visit_expressions_mut,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;
use datafusion::sql::sqlparser::tokenizer::Token;

use super::quote_ident;

/// Scalar functions a user expression may call: pure, row-local, reading nothing.
const ALLOWED_FUNCTIONS: &[&str] = &[
    "abs",
    "acos",
    "asin",
    "atan",
    "atan2",
    "btrim",
    "cbrt",
    "ceil",
    "char_length",
    "character_length",
    "coalesce",
    "concat",
    "cos",
    "cosh",
    "date_bin",
    "date_part",
    "date_trunc",
    "datepart",
    "datetrunc",
    "degrees",
    "ends_with",
    "exp",
    "floor",
    "from_unixtime",
    "greatest",
    "ifnull",
    "isnan",
    "iszero",
    "least",
    "left",
    "length",
    "ln",
    "log",
    "log10",
    "log2",
    "lower",
    "lpad",
    "ltrim",
    "make_date",
    "nanvl",
    "nullif",
    "nvl",
    "octet_length",
    "pi",
    "pow",
    "power",
    "radians",
    "regexp_like",
    "regexp_replace",
    "replace",
    "right",
    "round",
    "rpad",
    "rtrim",
    "sign",
    "signum",
    "sin",
    "sinh",
    "sqrt",
    "starts_with",
    "strpos",
    "substr",
    "substring",
    "tan",
    "tanh",
    "to_date",
    "to_timestamp",
    "to_timestamp_micros",
    "to_timestamp_millis",
    "to_timestamp_nanos",
    "to_timestamp_seconds",
    "to_unixtime",
    "trim",
    "trunc",
    "upper",
];

/// Parses `text` as exactly one SQL expression and checks it against the allow-list.
/// The error is the reason for rejection.
pub fn parse_safe_expr(text: &str) -> Result<Expr, String> {
    let dialect = GenericDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(text)
        .map_err(|e| format!("not a SQL expression: {e}"))?;
    let expr = parser
        .parse_expr()
        .map_err(|e| format!("not a single SQL expression: {e}"))?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(format!(
            "unexpected `{}` after the expression (one expression only, no statements)",
            next.token
        ));
    }
    if let ControlFlow::Break(reason) = expr.visit(&mut SafetyCheck) {
        return Err(reason);
    }
    Ok(expr)
}

struct SafetyCheck;

impl Visitor for SafetyCheck {
    type Break = String;

    fn pre_visit_query(&mut self, _query: &Query) -> ControlFlow<String> {
        ControlFlow::Break("subqueries are not allowed".into())
    }

    fn pre_visit_relation(
        &mut self,
        relation: &datafusion::sql::sqlparser::ast::ObjectName,
    ) -> ControlFlow<String> {
        ControlFlow::Break(format!("table reference `{relation}` is not allowed"))
    }

    fn pre_visit_table_factor(&mut self, _t: &TableFactor) -> ControlFlow<String> {
        ControlFlow::Break("table references are not allowed".into())
    }

    fn pre_visit_statement(&mut self, _s: &Statement) -> ControlFlow<String> {
        ControlFlow::Break("statements are not allowed".into())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<String> {
        match check_node(expr) {
            Ok(()) => ControlFlow::Continue(()),
            Err(reason) => ControlFlow::Break(reason),
        }
    }
}

fn check_node(expr: &Expr) -> Result<(), String> {
    match expr {
        Expr::Identifier(_)
        | Expr::IsFalse(_)
        | Expr::IsNotFalse(_)
        | Expr::IsTrue(_)
        | Expr::IsNotTrue(_)
        | Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsUnknown(_)
        | Expr::IsNotUnknown(_)
        | Expr::IsDistinctFrom(_, _)
        | Expr::IsNotDistinctFrom(_, _)
        | Expr::InList { .. }
        | Expr::Between { .. }
        | Expr::BinaryOp { .. }
        | Expr::Like { any: false, .. }
        | Expr::ILike { any: false, .. }
        | Expr::UnaryOp { .. }
        | Expr::AtTimeZone { .. }
        | Expr::Extract { .. }
        | Expr::Ceil { .. }
        | Expr::Floor { .. }
        | Expr::Position { .. }
        | Expr::Substring { .. }
        | Expr::Trim { .. }
        | Expr::Nested(_)
        | Expr::Value(_)
        | Expr::TypedString(_)
        | Expr::Case { .. }
        | Expr::Interval(_) => Ok(()),
        Expr::Cast {
            kind,
            format,
            array,
            ..
        } => {
            if matches!(
                kind,
                CastKind::Cast | CastKind::TryCast | CastKind::DoubleColon
            ) && format.is_none()
                && !array
            {
                Ok(())
            } else {
                Err(format!("cast form `{expr}` is not supported"))
            }
        }
        Expr::CompoundIdentifier(parts) => Err(format!(
            "qualified name `{}` is not allowed: use the bare column name of the metric's table",
            parts
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(".")
        )),
        Expr::InSubquery { .. } | Expr::Exists { .. } | Expr::Subquery(_) => {
            Err("subqueries (IN/EXISTS/scalar) are not allowed".into())
        }
        Expr::Function(f) => {
            let name = match f.name.0.as_slice() {
                [ObjectNamePart::Identifier(id)] => id.value.to_ascii_lowercase(),
                _ => return Err(format!("function `{}` is not allowed", f.name)),
            };
            if !ALLOWED_FUNCTIONS.contains(&name.as_str()) {
                return Err(format!(
                    "function `{name}` is not allowed (only row-local scalar functions: {})",
                    ALLOWED_FUNCTIONS.join(", ")
                ));
            }
            if f.over.is_some()
                || f.filter.is_some()
                || !f.within_group.is_empty()
                || f.null_treatment.is_some()
                || f.uses_odbc_syntax
                || !matches!(f.parameters, FunctionArguments::None)
            {
                return Err(format!("function call `{expr}` uses an unsupported clause"));
            }
            match &f.args {
                FunctionArguments::List(list) => {
                    if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
                        return Err(format!("function call `{expr}` uses an unsupported clause"));
                    }
                    for arg in &list.args {
                        if !matches!(arg, FunctionArg::Unnamed(FunctionArgExpr::Expr(_))) {
                            return Err(format!(
                                "function call `{expr}`: only plain positional arguments"
                            ));
                        }
                    }
                    Ok(())
                }
                _ => Err(format!(
                    "function call `{expr}` needs a parenthesised argument list"
                )),
            }
        }
        other => Err(format!("`{other}` is not an allowed expression form")),
    }
}

/// How the bare names of an expression resolve.
pub(crate) struct NameScope<'a> {
    /// The metric's table schema; its columns resolve to `<alias>."column"`.
    pub schema: &'a Schema,
    /// Table alias in the generated query.
    pub alias: &'a str,
    /// SQL for `variant` (the unit's variant label).
    pub variant_sql: &'a str,
    /// SQL for `exposed_at` (the unit's first exposure time).
    pub exposed_sql: &'a str,
}

/// A checked expression re-emitted with resolved names, and the table columns it reads.
pub(crate) struct CompiledExpr {
    pub sql: String,
    pub columns: BTreeSet<String>,
}

/// Resolves a bare name as DataFusion would (unquoted names are lower-cased), falling back to a
/// unique case-insensitive match so `WatchSeconds` finds the column `WatchSeconds`.
fn resolve_column(schema: &Schema, value: &str, quoted: bool) -> Option<String> {
    let names: Vec<&String> = schema.fields().iter().map(|f| f.name()).collect();
    let want = if quoted {
        value.to_string()
    } else {
        value.to_lowercase()
    };
    if names.iter().any(|n| **n == want) {
        return Some(want);
    }
    if quoted {
        return None;
    }
    let mut found = names.iter().filter(|n| n.eq_ignore_ascii_case(value));
    match (found.next(), found.next()) {
        (Some(n), None) => Some((*n).clone()),
        _ => None,
    }
}

/// Checks `text` and rewrites its column references for `scope`.
pub(crate) fn compile_expr(text: &str, scope: &NameScope<'_>) -> Result<CompiledExpr, String> {
    let mut expr = parse_safe_expr(text)?;
    let mut columns = BTreeSet::new();
    let mut failure: Option<String> = None;
    let replacement = |sql: &str| -> Result<Expr, String> {
        let dialect = GenericDialect {};
        Parser::new(&dialect)
            .try_with_sql(sql)
            .and_then(|mut p| p.parse_expr())
            .map_err(|e| format!("internal rewrite failed: {e}"))
    };
    let _ = visit_expressions_mut(&mut expr, |node| {
        if let Expr::Identifier(id) = node {
            let quoted = id.quote_style.is_some();
            let resolved = resolve_column(scope.schema, &id.value, quoted);
            let sql = match resolved {
                Some(col) => {
                    let sql = format!("{}.{}", scope.alias, quote_ident(&col));
                    columns.insert(col);
                    sql
                }
                None if id.value.eq_ignore_ascii_case("variant") && !quoted => {
                    format!("({})", scope.variant_sql)
                }
                None if id.value.eq_ignore_ascii_case("exposed_at") && !quoted => {
                    format!("({})", scope.exposed_sql)
                }
                None => {
                    let names: Vec<&str> = scope
                        .schema
                        .fields()
                        .iter()
                        .map(|f| f.name().as_str())
                        .collect();
                    failure = Some(format!(
                        "unknown column `{}`: expressions may use the metric table's columns ({}) and variant, exposed_at",
                        id.value,
                        names.join(", ")
                    ));
                    return ControlFlow::Break(());
                }
            };
            match replacement(&sql) {
                Ok(new) => *node = new,
                Err(e) => {
                    failure = Some(e);
                    return ControlFlow::Break(());
                }
            }
        }
        ControlFlow::Continue(())
    });
    if let Some(reason) = failure {
        return Err(reason);
    }
    Ok(CompiledExpr {
        sql: expr.to_string(),
        columns,
    })
}
