//! The OpenAPI document (generated from the handlers' annotations) and the interactive page
//! at `/docs`, whose assets are compiled into the binary so it renders offline.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Switchboard API", description = "Self-hosted real-time support chat. The WebSocket protocol at /api/v1/ws is described in docs/protocol.md."),
    modifiers(&BearerAuth),
    // The WebSocket frames: no route returns them, but the app's types are generated from here.
    components(schemas(
        crate::realtime::events::ClientFrame,
        crate::realtime::events::ServerFrame<'static>,
    )),
    tags(
        (name = "auth", description = "Accounts and tokens"),
        (name = "users", description = "Your profile, user search, avatars"),
        (name = "admin", description = "User management (admins)"),
        (name = "conversations", description = "Conversations and messages"),
        (name = "tickets", description = "Support tickets"),
        (name = "teams", description = "Agent teams"),
        (name = "canned", description = "Canned responses (staff)"),
        (name = "search", description = "Full-text search of messages and ticket subjects"),
        (name = "notifications", description = "Your notification feed"),
        (name = "push", description = "Push subscriptions of your devices, push preferences"),
        (name = "social", description = "Friend requests, contacts, blocks"),
        (name = "files", description = "Uploads and downloads"),
        (name = "calls", description = "Voice and video calls (ICE servers; signalling is on the WebSocket)"),
        (name = "operations", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The answers every route can give, added to each operation so the document matches what the
/// server does: 401 where a token is required, 400/413/415 where a JSON body is read, 408 on
/// the API. Each carries the one error shape. Applied once the routes are merged in (a
/// `Modify` on `ApiDoc` would run before any path exists).
pub struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let is_api = path.starts_with("/api/");
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let has = |place: ParameterIn| {
                    op.parameters
                        .iter()
                        .flatten()
                        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
                };
                let mut codes: Vec<(&str, &str)> = Vec::new();
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    codes.push(("401", "missing, invalid or expired access token"));
                }
                if op.request_body.is_some() {
                    codes.push(("400", "malformed JSON or invalid fields"));
                    codes.push(("413", "the body is larger than the limit"));
                    codes.push(("415", "the body is not of the expected content type"));
                }
                if has(ParameterIn::Path) {
                    codes.push(("404", "no such resource, or one you may not see"));
                }
                if has(ParameterIn::Query) {
                    codes.push(("400", "invalid query parameters"));
                }
                if is_api {
                    codes.push(("408", "the request took too long"));
                }
                for (code, text) in codes {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| error(text));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// `docs/openapi.json` is what the app's TypeScript types are generated from, so it must be
    /// the document the server serves. Refresh it with
    /// `cargo run -p switchboard -- openapi > docs/openapi.json`.
    #[test]
    fn the_committed_document_is_the_served_one() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
        let committed = std::fs::read_to_string(path).expect("docs/openapi.json is committed");
        let served = crate::startup::openapi()
            .to_pretty_json()
            .expect("serializes");
        assert!(
            committed.trim_end() == served.trim_end(),
            "docs/openapi.json is stale: run `cargo run -p switchboard -- openapi > docs/openapi.json`"
        );
    }

    /// The `type` of every variant of a frame enum, read from its schema.
    fn frame_types(schema: &str) -> Vec<String> {
        let doc = serde_json::to_value(crate::startup::openapi()).expect("serializes");
        let variants = doc["components"]["schemas"][schema]["oneOf"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema} is a oneOf of its variants"));
        let mut types: Vec<String> = variants
            .iter()
            .map(|v| {
                v["properties"]["type"]["enum"][0]
                    .as_str()
                    .unwrap_or_else(|| panic!("a {schema} variant without a type: {v}"))
                    .to_string()
            })
            .collect();
        types.sort();
        types
    }

    /// The first column of the table under `heading` in docs/protocol.md.
    fn documented_types(heading: &str) -> Vec<String> {
        let doc = include_str!("../../../../docs/protocol.md");
        let section = doc
            .split_once(heading)
            .unwrap_or_else(|| panic!("docs/protocol.md has {heading}"))
            .1;
        let mut types: Vec<String> = section
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .filter_map(|l| {
                l.strip_prefix("| `")?
                    .split_once('`')
                    .map(|(t, _)| t.to_string())
            })
            .collect();
        types.sort();
        types
    }

    #[test]
    fn the_protocol_document_lists_every_frame() {
        assert_eq!(
            documented_types("### Client → server"),
            frame_types("ClientFrame")
        );
        assert_eq!(
            documented_types("### Server → client"),
            frame_types("ServerFrame")
        );
    }
}
