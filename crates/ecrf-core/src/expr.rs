//! The expression language of conditions (`when`) and edit checks (`assert`).
//!
//! ```text
//! expr    := or
//! or      := and ("or" and)*
//! and     := not ("and" not)*
//! not     := "not" not | cmp
//! cmp     := sum (("=="|"!="|"<"|"<="|">"|">="|"in") sum)?
//! sum     := product (("+"|"-") product)*
//! product := unary (("*"|"/") unary)*
//! unary   := "-" unary | primary
//! primary := NUMBER | 'text' | "text" | true | false | null | "[" list "]" | "(" expr ")"
//!          | NAME "(" list ")" | PATH
//! PATH    := ITEM | FORM.ITEM | EVENT.FORM.ITEM
//! ```
//! Logic is three-valued: anything compared with a missing value is unknown (null), `and`/`or`
//! follow Kleene, and an edit check fires only when its assertion is *false*, never when unknown.
//! Dates (`2024-03-05`, partial `2024-03`, date-times) compare as the intervals they denote:
//! `2024-03 < 2024-03-05` is unknown, `2024-02 < 2024-03-05` is true.

use crate::CoreError;
use serde_json::Value as Json;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Lit(V),
    Path(Vec<String>),
    List(Vec<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Bin(Op, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
}

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<V>),
}

/// What an expression can see: item values by path, and today's date (the caller's clock).
pub trait Env {
    fn lookup(&self, path: &[String]) -> Json;
    fn today(&self) -> Option<String> {
        None
    }
}

pub const FUNCTIONS: &[&str] = &["set", "days", "today", "len", "abs", "min", "max", "year"];

impl Expr {
    pub fn parse(src: &str) -> Result<Expr, CoreError> {
        let tokens = lex(src).map_err(|m| err(src, m))?;
        // Expressions of a study definition are short; a huge one (a definition can arrive in
        // a bundle) must not exhaust the stack while it is parsed, evaluated or dropped.
        if tokens.len() > MAX_TOKENS {
            return Err(err(
                src,
                format!("too long: {} tokens (at most {MAX_TOKENS})", tokens.len()),
            ));
        }
        let mut p = Parser {
            t: &tokens,
            i: 0,
            depth: 0,
        };
        let e = p.or().map_err(|m| err(src, m))?;
        if p.i != tokens.len() {
            return Err(err(src, format!("unexpected {:?}", tokens[p.i])));
        }
        Ok(e)
    }

    /// Every path the expression reads.
    pub fn paths(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Path(p) = e {
                out.push(p.clone());
            }
        });
        out
    }

    /// Every function the expression calls.
    pub fn calls(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Call(n, _) = e {
                out.push(n.clone());
            }
        });
        out
    }

    fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Lit(_) | Expr::Path(_) => {}
            Expr::List(xs) | Expr::Call(_, xs) => xs.iter().for_each(|x| x.walk(f)),
            Expr::Not(x) | Expr::Neg(x) => x.walk(f),
            Expr::Bin(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
        }
    }

    pub fn eval(&self, env: &dyn Env) -> V {
        match self {
            Expr::Lit(v) => v.clone(),
            Expr::Path(p) => V::from_json(&env.lookup(p)),
            Expr::List(xs) => V::List(xs.iter().map(|x| x.eval(env)).collect()),
            Expr::Not(x) => match x.eval(env) {
                V::Bool(b) => V::Bool(!b),
                _ => V::Null,
            },
            Expr::Neg(x) => match x.eval(env) {
                V::Num(n) => V::Num(-n),
                _ => V::Null,
            },
            Expr::Bin(Op::And, a, b) => match (a.eval(env).truth(), b.eval(env).truth()) {
                (Some(false), _) | (_, Some(false)) => V::Bool(false),
                (Some(true), Some(true)) => V::Bool(true),
                _ => V::Null,
            },
            Expr::Bin(Op::Or, a, b) => match (a.eval(env).truth(), b.eval(env).truth()) {
                (Some(true), _) | (_, Some(true)) => V::Bool(true),
                (Some(false), Some(false)) => V::Bool(false),
                _ => V::Null,
            },
            Expr::Bin(op, a, b) => binary(*op, a.eval(env), b.eval(env)),
            Expr::Call(name, args) => {
                let args: Vec<V> = args.iter().map(|a| a.eval(env)).collect();
                call(name, &args, env)
            }
        }
    }

    /// True, false, or unknown (`None`) when values are missing.
    pub fn truth(&self, env: &dyn Env) -> Option<bool> {
        self.eval(env).truth()
    }
}

impl V {
    pub fn from_json(j: &Json) -> V {
        match j {
            Json::Null => V::Null,
            Json::Bool(b) => V::Bool(*b),
            Json::Number(n) => n.as_f64().map_or(V::Null, V::Num),
            Json::String(s) => V::Str(s.clone()),
            Json::Array(xs) => V::List(xs.iter().map(V::from_json).collect()),
            // Special values (not done, ND/UNK, BLQ) are missing for logic.
            Json::Object(_) => V::Null,
        }
    }
    pub fn truth(&self) -> Option<bool> {
        match self {
            V::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

fn err(src: &str, message: String) -> CoreError {
    CoreError::Expr {
        expr: src.to_string(),
        message,
    }
}

fn binary(op: Op, a: V, b: V) -> V {
    use std::cmp::Ordering::*;
    if op == Op::In {
        return match (&a, &b) {
            (V::Null, _) => V::Null,
            (_, V::List(xs)) => V::Bool(xs.iter().any(|x| compare(&a, x) == Some(Equal))),
            _ => V::Null,
        };
    }
    if matches!(a, V::Null) || matches!(b, V::Null) {
        return V::Null;
    }
    match op {
        Op::Add | Op::Sub | Op::Mul | Op::Div => match (a, b) {
            (V::Num(x), V::Num(y)) => {
                let r = match op {
                    Op::Add => x + y,
                    Op::Sub => x - y,
                    Op::Mul => x * y,
                    _ => x / y,
                };
                if r.is_finite() {
                    V::Num(r)
                } else {
                    V::Null
                }
            }
            _ => V::Null,
        },
        _ => {
            let ord = compare(&a, &b);
            let r = match op {
                Op::Eq => ord.map(|o| o == Equal),
                Op::Ne => ord.map(|o| o != Equal),
                Op::Lt => ord.map(|o| o == Less),
                Op::Le => ord.map(|o| o != Greater),
                Op::Gt => ord.map(|o| o == Greater),
                Op::Ge => ord.map(|o| o != Less),
                _ => None,
            };
            r.map_or(V::Null, V::Bool)
        }
    }
}

/// Orders two values, or `None` when the order is unknown (different kinds, or dates whose
/// precision leaves the order open).
fn compare(a: &V, b: &V) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (V::Num(x), V::Num(y)) => x.partial_cmp(y),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(y)),
        (V::Str(x), V::Str(y)) => match (date_interval(x), date_interval(y)) {
            (Some((a0, a1)), Some((b0, b1))) => {
                if a0 == b0 && a1 == b1 {
                    // Equal days, or the same partial date written the same way.
                    (a0 == a1 || x == y).then_some(std::cmp::Ordering::Equal)
                } else if a1 < b0 {
                    Some(std::cmp::Ordering::Less)
                } else if b1 < a0 {
                    Some(std::cmp::Ordering::Greater)
                } else {
                    None
                }
            }
            _ => Some(x.cmp(y)),
        },
        _ => None,
    }
}

/// A date, partial date or date-time as the closed interval of days (since 0000-03-01) it
/// denotes. Date-times are taken at their calendar date.
pub fn date_interval(s: &str) -> Option<(i64, i64)> {
    let date = s
        .get(..10)
        .filter(|_| s.len() > 10 && s.as_bytes()[10] == b'T')
        .unwrap_or(s);
    let parts: Vec<&str> = date.split('-').collect();
    let num = |p: &str, n: usize| -> Option<i64> {
        (p.len() == n && p.chars().all(|c| c.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    match parts.as_slice() {
        [y] => {
            let y = num(y, 4)?;
            Some((day_number(y, 1, 1)?, day_number(y, 12, 31)?))
        }
        [y, m] => {
            let (y, m) = (num(y, 4)?, num(m, 2)?);
            Some((
                day_number(y, m, 1)?,
                day_number(y, m, days_in_month(y, m)?)?,
            ))
        }
        [y, m, d] => {
            let n = day_number(num(y, 4)?, num(m, 2)?, num(d, 2)?)?;
            Some((n, n))
        }
        _ => None,
    }
}

fn days_in_month(y: i64, m: i64) -> Option<i64> {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    Some(match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    })
}

/// Days from a fixed origin (proleptic Gregorian), checking the date exists.
pub fn day_number(y: i64, m: i64, d: i64) -> Option<i64> {
    if d < 1 || d > days_in_month(y, m)? {
        return None;
    }
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    Some(365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + d - 1)
}

fn call(name: &str, args: &[V], env: &dyn Env) -> V {
    match (name, args) {
        ("set", [x]) => V::Bool(!matches!(x, V::Null)),
        ("today", []) => env.today().map_or(V::Null, V::Str),
        ("days", [V::Str(a), V::Str(b)]) => match (date_interval(a), date_interval(b)) {
            (Some((a0, a1)), Some((b0, b1))) if a0 == a1 && b0 == b1 => V::Num((b0 - a0) as f64),
            _ => V::Null,
        },
        ("year", [V::Str(a)]) => a
            .get(..4)
            .and_then(|y| y.parse::<f64>().ok())
            .map_or(V::Null, V::Num),
        ("len", [V::Str(s)]) => V::Num(s.chars().count() as f64),
        ("len", [V::List(xs)]) => V::Num(xs.len() as f64),
        ("abs", [V::Num(x)]) => V::Num(x.abs()),
        ("min", [V::Num(x), V::Num(y)]) => V::Num(x.min(*y)),
        ("max", [V::Num(x), V::Num(y)]) => V::Num(x.max(*y)),
        _ => V::Null,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Name(String),
    Sym(&'static str),
}

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let cs: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let s = i;
            while i < cs.len() && (cs[i].is_ascii_digit() || cs[i] == '.') {
                i += 1;
            }
            let t: String = cs[s..i].iter().collect();
            out.push(Tok::Num(t.parse().map_err(|_| format!("bad number {t}"))?));
        } else if c == '\'' || c == '"' {
            let s = i + 1;
            i += 1;
            while i < cs.len() && cs[i] != c {
                i += 1;
            }
            if i >= cs.len() {
                return Err("unterminated string".into());
            }
            out.push(Tok::Str(cs[s..i].iter().collect()));
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let s = i;
            while i < cs.len() && (cs[i].is_ascii_alphanumeric() || cs[i] == '_' || cs[i] == '.') {
                i += 1;
            }
            out.push(Tok::Name(cs[s..i].iter().collect()));
        } else {
            let two: String = cs[i..(i + 2).min(cs.len())].iter().collect();
            let sym = ["==", "!=", "<=", ">="]
                .into_iter()
                .find(|s| *s == two)
                .or_else(|| {
                    ["<", ">", "(", ")", "[", "]", ",", "+", "-", "*", "/"]
                        .into_iter()
                        .find(|s| s.starts_with(c))
                })
                .ok_or_else(|| format!("unexpected character {c:?}"))?;
            i += sym.len();
            out.push(Tok::Sym(sym));
        }
    }
    Ok(out)
}

/// The most tokens an expression may have.
pub const MAX_TOKENS: usize = 1000;
/// The deepest nesting (parentheses, lists, calls, `not`, unary minus) an expression may have.
pub const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    t: &'a [Tok],
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }
    fn eat_sym(&mut self, s: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(x)) if *x == s) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn eat_word(&mut self, w: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Name(x)) if x == w) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn or(&mut self) -> Result<Expr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("nested more than {MAX_DEPTH} levels deep"));
        }
        let mut e = self.and()?;
        while self.eat_word("or") {
            e = Expr::Bin(Op::Or, Box::new(e), Box::new(self.and()?));
        }
        self.depth -= 1;
        Ok(e)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut e = self.not()?;
        while self.eat_word("and") {
            e = Expr::Bin(Op::And, Box::new(e), Box::new(self.not()?));
        }
        Ok(e)
    }
    fn not(&mut self) -> Result<Expr, String> {
        if self.eat_word("not") {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(format!("nested more than {MAX_DEPTH} levels deep"));
            }
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.cmp()
    }
    fn cmp(&mut self) -> Result<Expr, String> {
        let a = self.sum()?;
        let op = match self.peek() {
            Some(Tok::Sym("==")) => Op::Eq,
            Some(Tok::Sym("!=")) => Op::Ne,
            Some(Tok::Sym("<")) => Op::Lt,
            Some(Tok::Sym("<=")) => Op::Le,
            Some(Tok::Sym(">")) => Op::Gt,
            Some(Tok::Sym(">=")) => Op::Ge,
            Some(Tok::Name(n)) if n == "in" => Op::In,
            _ => return Ok(a),
        };
        self.i += 1;
        Ok(Expr::Bin(op, Box::new(a), Box::new(self.sum()?)))
    }
    fn sum(&mut self) -> Result<Expr, String> {
        let mut e = self.product()?;
        loop {
            let op = if self.eat_sym("+") {
                Op::Add
            } else if self.eat_sym("-") {
                Op::Sub
            } else {
                return Ok(e);
            };
            e = Expr::Bin(op, Box::new(e), Box::new(self.product()?));
        }
    }
    fn product(&mut self) -> Result<Expr, String> {
        let mut e = self.unary()?;
        loop {
            let op = if self.eat_sym("*") {
                Op::Mul
            } else if self.eat_sym("/") {
                Op::Div
            } else {
                return Ok(e);
            };
            e = Expr::Bin(op, Box::new(e), Box::new(self.unary()?));
        }
    }
    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat_sym("-") {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(format!("nested more than {MAX_DEPTH} levels deep"));
            }
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Neg(Box::new(inner)));
        }
        self.primary()
    }
    fn list(&mut self, close: &str) -> Result<Vec<Expr>, String> {
        let mut xs = Vec::new();
        if self.eat_sym(close) {
            return Ok(xs);
        }
        loop {
            xs.push(self.or()?);
            if self.eat_sym(close) {
                return Ok(xs);
            }
            if !self.eat_sym(",") {
                return Err(format!("expected ',' or '{close}'"));
            }
        }
    }
    fn primary(&mut self) -> Result<Expr, String> {
        let tok = self.peek().cloned().ok_or("unexpected end")?;
        self.i += 1;
        match tok {
            Tok::Num(n) => Ok(Expr::Lit(V::Num(n))),
            Tok::Str(s) => Ok(Expr::Lit(V::Str(s))),
            Tok::Sym("(") => {
                let e = self.or()?;
                if !self.eat_sym(")") {
                    return Err("expected ')'".into());
                }
                Ok(e)
            }
            Tok::Sym("[") => Ok(Expr::List(self.list("]")?)),
            Tok::Name(n) => match n.as_str() {
                "true" => Ok(Expr::Lit(V::Bool(true))),
                "false" => Ok(Expr::Lit(V::Bool(false))),
                "null" => Ok(Expr::Lit(V::Null)),
                "and" | "or" | "not" | "in" => Err(format!("unexpected {n:?}")),
                _ if self.eat_sym("(") => {
                    if !FUNCTIONS.contains(&n.as_str()) {
                        return Err(format!("unknown function {n:?}"));
                    }
                    Ok(Expr::Call(n, self.list(")")?))
                }
                _ => {
                    let parts: Vec<String> = n.split('.').map(str::to_string).collect();
                    if parts.len() > 3 || parts.iter().any(String::is_empty) {
                        return Err(format!("bad reference {n:?}"));
                    }
                    Ok(Expr::Path(parts))
                }
            },
            Tok::Sym(s) => Err(format!("unexpected {s:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    struct M(HashMap<&'static str, Json>);
    impl Env for M {
        fn lookup(&self, path: &[String]) -> Json {
            self.0
                .get(path.join(".").as_str())
                .cloned()
                .unwrap_or(Json::Null)
        }
        fn today(&self) -> Option<String> {
            Some("2026-11-24".into())
        }
    }

    #[test]
    fn table() {
        let env = M(HashMap::from([
            ("A", json!(5)),
            ("S", json!("Y")),
            ("D1", json!("2024-03-05")),
            ("D2", json!("2024-03")),
            ("D3", json!("2024-02")),
            ("DT", json!("2024-03-05T10:00+08:00")),
            ("ND", json!({"not_done": "sample haemolysed"})),
            ("INF.DT", json!("2024-03-10")),
        ]));
        let cases: &[(&str, Option<bool>)] = &[
            ("A > 4", Some(true)),
            ("A >= 5 and S == 'Y'", Some(true)),
            ("A < 5 or S != 'Y'", Some(false)),
            ("MISSING > 4", None),
            ("MISSING > 4 and false", Some(false)),
            ("MISSING > 4 or true", Some(true)),
            ("not (A == 5)", Some(false)),
            ("S in ['N', 'Y']", Some(true)),
            ("S in ['N']", Some(false)),
            ("D3 < D1", Some(true)),
            ("D2 < D1", None),
            ("D2 <= D1", None),
            ("D1 <= DT", Some(true)),
            ("D1 < INF.DT", Some(true)),
            ("days(D1, INF.DT) == 5", Some(true)),
            ("days(D2, INF.DT) == 5", None),
            ("set(ND)", Some(false)),
            ("set(A)", Some(true)),
            ("D1 <= today()", Some(true)),
            ("A * 2 - 1 == 9", Some(true)),
            ("-A < 0", Some(true)),
            ("A / 0 > 1", None),
            ("year(D1) == 2024", Some(true)),
        ];
        for (src, want) in cases {
            let e = Expr::parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
            assert_eq!(e.truth(&env), *want, "{src}");
        }
    }

    #[test]
    fn parse_errors() {
        for bad in [
            "A >", "(A", "A == 'x", "A ^ 2", "foo(A)", "A.B.C.D", "and", "A B",
        ] {
            assert!(Expr::parse(bad).is_err(), "{bad}");
        }
        let e = Expr::parse("INF.DT < D1 and set(X)").unwrap();
        assert_eq!(e.paths().len(), 3);
        assert_eq!(e.calls(), vec!["set".to_string()]);
    }

    #[test]
    fn dates() {
        assert_eq!(
            date_interval("2024-02"),
            Some((
                day_number(2024, 2, 1).unwrap(),
                day_number(2024, 2, 29).unwrap()
            ))
        );
        assert_eq!(date_interval("2023-02-29"), None);
        assert_eq!(date_interval("24-02-01"), None);
        assert_eq!(
            day_number(2024, 3, 1).unwrap() - day_number(2024, 2, 28).unwrap(),
            2
        );
    }
}
