//! The OpenAPI document (generated from the handlers' annotations) and the interactive page
//! at `/docs`, whose assets are compiled into the binary so it renders offline.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Switchboard API", description = "Self-hosted real-time support chat. The WebSocket protocol at /api/v1/ws is described in docs/protocol.md."),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Accounts and tokens"),
        (name = "users", description = "Your profile, user search, avatars"),
        (name = "admin", description = "User management (admins)"),
        (name = "conversations", description = "Conversations and messages"),
        (name = "tickets", description = "Support tickets"),
        (name = "teams", description = "Agent teams"),
        (name = "notifications", description = "Your notification feed"),
        (name = "social", description = "Friend requests, contacts, blocks"),
        (name = "files", description = "Uploads and downloads"),
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
