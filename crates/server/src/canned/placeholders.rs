//! `{{customer.name}}`, `{{ticket.number}}` and `{{agent.name}}` in a canned response, filled
//! when the agent inserts it. A placeholder with no value here (no ticket in a direct chat) or
//! an unknown one stays as written, so the agent sees it in the composer and fixes it before
//! sending rather than sending a hole.

/// The values a placeholder may take; `None`: not known where the response is inserted.
#[derive(Debug, Default)]
pub struct Values {
    pub customer_name: Option<String>,
    pub ticket_number: Option<i64>,
    pub agent_name: Option<String>,
}

/// The placeholders the server fills, as documented.
pub const PLACEHOLDERS: [&str; 3] = ["customer.name", "ticket.number", "agent.name"];

impl Values {
    fn get(&self, name: &str) -> Option<String> {
        match name {
            "customer.name" => self.customer_name.clone(),
            "ticket.number" => self.ticket_number.map(|n| n.to_string()),
            "agent.name" => self.agent_name.clone(),
            _ => None,
        }
    }
}

/// Replaces every `{{ name }}` (spaces inside the braces allowed) that has a value. One pass
/// over the template: a value that itself contains `{{…}}` is never expanded again.
pub fn fill(template: &str, values: &Values) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        match values.get(after[..end].trim()) {
            Some(value) => out.push_str(&value),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket_values() -> Values {
        Values {
            customer_name: Some("Ana".into()),
            ticket_number: Some(1042),
            agent_name: Some("Ben".into()),
        }
    }

    #[test]
    fn known_placeholders_are_filled() {
        assert_eq!(
            fill(
                "Hi {{customer.name}}, ticket #{{ ticket.number }} is with me. {{agent.name}}",
                &ticket_values()
            ),
            "Hi Ana, ticket #1042 is with me. Ben"
        );
    }

    #[test]
    fn unknown_or_missing_placeholders_stay_as_written() {
        let direct = Values {
            customer_name: Some("Ana".into()),
            ..Values::default()
        };
        assert_eq!(
            fill(
                "#{{ticket.number}} {{customer.email}} {{customer.name}}",
                &direct
            ),
            "#{{ticket.number}} {{customer.email}} Ana"
        );
        assert_eq!(
            fill("open {{ and never closed", &direct),
            "open {{ and never closed"
        );
        assert_eq!(fill("}} {{}} {", &direct), "}} {{}} {");
    }

    #[test]
    fn values_are_not_expanded_again() {
        let sneaky = Values {
            customer_name: Some("{{agent.name}}".into()),
            agent_name: Some("Ben".into()),
            ..Values::default()
        };
        assert_eq!(fill("Hi {{customer.name}}", &sneaky), "Hi {{agent.name}}");
    }
}
