//! `switchboard seed --demo`: a believable support desk for a first look. Refuses to touch a
//! database that already has users.

use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};

use crate::auth::AuthUser;
use crate::auth::service::create_user;
use crate::conversations::service::{self as conversations, SendMessageRequest};
use crate::db::entities::{contact, team, team_member, user};
use crate::domain::{DisplayName, Email, Password, Role, now_ms};
use crate::state::AppState;
use crate::tickets::domain::{Priority, Status};
use crate::tickets::service::{self as tickets, Changes, NewTicket};

fn actor(u: &user::Model, role: Role) -> AuthUser {
    AuthUser {
        id: u.id,
        role,
        session_id: "seed".into(),
        display_name: u.display_name.clone(),
        token_exp: 0,
        client_ip: None,
    }
}

fn err(e: crate::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{}: {}", e.code(), e.public_message())
}

async fn person(
    state: &AppState,
    name: &str,
    email: &str,
    role: Role,
    password: &Password,
) -> anyhow::Result<AuthUser> {
    let u = create_user(
        state,
        &Email::parse(email).map_err(err)?,
        &DisplayName::parse(name).map_err(err)?,
        password,
        role,
    )
    .await
    .map_err(err)?;
    Ok(actor(&u, role))
}

async fn say(
    state: &AppState,
    who: &AuthUser,
    conversation_id: i64,
    body: &str,
    kind: &str,
) -> anyhow::Result<()> {
    let input = SendMessageRequest {
        body: body.into(),
        client_id: uuid::Uuid::new_v4().to_string(),
        kind: Some(kind.into()),
        attachment_ids: vec![],
        reply_to: None,
    };
    conversations::send_message(state, who, conversation_id, input)
        .await
        .map_err(err)?;
    Ok(())
}

pub async fn demo(state: &AppState) -> anyhow::Result<()> {
    let existing = user::Entity::find().count(&state.db).await?;
    anyhow::ensure!(
        existing == 0,
        "the database already has {existing} users; seed --demo only fills an empty one"
    );
    let secret = format!("demo-{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let password = Password::parse(secret.clone()).map_err(err)?;

    let admin = person(
        state,
        "Morgan Admin",
        "admin@demo.switchboard",
        Role::Admin,
        &password,
    )
    .await?;
    let agents = [
        person(
            state,
            "Ana Ruiz",
            "ana@demo.switchboard",
            Role::Agent,
            &password,
        )
        .await?,
        person(
            state,
            "Ben Okafor",
            "ben@demo.switchboard",
            Role::Agent,
            &password,
        )
        .await?,
        person(
            state,
            "Chen Wei",
            "chen@demo.switchboard",
            Role::Agent,
            &password,
        )
        .await?,
        person(
            state,
            "Dana Kowalski",
            "dana@demo.switchboard",
            Role::Agent,
            &password,
        )
        .await?,
    ];
    let customers = [
        person(
            state,
            "Elena Petrova",
            "elena@customer.example",
            Role::Customer,
            &password,
        )
        .await?,
        person(
            state,
            "Farid Haddad",
            "farid@customer.example",
            Role::Customer,
            &password,
        )
        .await?,
        person(
            state,
            "Grace Lin",
            "grace@customer.example",
            Role::Customer,
            &password,
        )
        .await?,
        person(
            state,
            "Hugo Martin",
            "hugo@customer.example",
            Role::Customer,
            &password,
        )
        .await?,
    ];
    let mut team_ids = Vec::new();
    for (name, members) in [
        ("Billing", [&agents[0], &agents[1]]),
        ("Technical", [&agents[2], &agents[3]]),
    ] {
        let t = team::ActiveModel {
            name: Set(name.into()),
            created_at: Set(now_ms()),
            ..Default::default()
        }
        .insert(&state.db)
        .await?;
        for m in members {
            team_member::ActiveModel {
                team_id: Set(t.id),
                user_id: Set(m.id),
            }
            .insert(&state.db)
            .await?;
        }
        team_ids.push(t.id);
    }

    // One row per demo ticket, in the order a reader scans them.
    #[allow(clippy::type_complexity)]
    let stories: [(
        usize,
        &str,
        &str,
        Priority,
        Option<usize>,
        Option<usize>,
        Status,
        Option<&str>,
        Option<&str>,
    ); 8] = [
        (
            0,
            "Charged twice for November",
            "My card shows two charges of €49 on the 3rd.",
            Priority::High,
            Some(0),
            Some(0),
            Status::InProgress,
            Some(
                "Sorry about that, Elena. I can see both charges and I'm refunding the second one now.",
            ),
            Some("Duplicate charge from the retry bug; refund via the billing console."),
        ),
        (
            1,
            "Cannot log in after password reset",
            "The reset link says it expired the moment I click it.",
            Priority::Urgent,
            Some(1),
            Some(2),
            Status::Pending,
            Some(
                "Thanks Farid, which browser are you using? We have seen this with some mail scanners opening the link first.",
            ),
            Some("Probably the mail scanner pre-fetch issue, check with security."),
        ),
        (
            2,
            "Invoice needs our VAT number",
            "Please add FR12345678901 to invoice INV-2211.",
            Priority::Low,
            Some(0),
            Some(1),
            Status::Closed,
            Some("Done, the corrected invoice is in your account."),
            None,
        ),
        (
            3,
            "App crashes when uploading a photo",
            "On Android 15 the app closes as soon as I pick a photo.",
            Priority::High,
            Some(1),
            None,
            Status::Open,
            None,
            Some("Reproduced on a Pixel 8: crash in the image picker."),
        ),
        (
            0,
            "How do I export my data?",
            "I'd like a copy of everything in my account.",
            Priority::Medium,
            None,
            None,
            Status::Open,
            None,
            None,
        ),
        (
            2,
            "Feature request: dark mode",
            "Would love a dark theme for late shifts!",
            Priority::Low,
            None,
            None,
            Status::Open,
            None,
            None,
        ),
        (
            1,
            "Refund for annual plan",
            "I switched to monthly by mistake, can I get the annual back?",
            Priority::Medium,
            Some(0),
            Some(0),
            Status::Closed,
            Some("Switched you back and refunded the difference."),
            None,
        ),
        (
            3,
            "Webhook deliveries failing",
            "Since yesterday every webhook to our endpoint gets a 401.",
            Priority::Urgent,
            Some(1),
            Some(3),
            Status::InProgress,
            Some("We rotated signing keys yesterday; the new secret is in Settings → Webhooks."),
            Some("Key rotation announcement went to spam for several customers."),
        ),
    ];
    let mut count = 0;
    for (c, subject, body, priority, team, assignee, status, reply, note) in stories {
        let requester = &customers[c];
        let t = tickets::create(
            state,
            requester,
            NewTicket {
                subject: subject.into(),
                body: body.into(),
                priority,
            },
        )
        .await
        .map_err(err)?;
        let mut version = t.version;
        if team.is_some() || assignee.is_some() {
            let changes = Changes {
                version,
                team_id: team.map(|i| Some(team_ids[i])),
                assignee_id: assignee.map(|i| Some(agents[i].id)),
                status: (status == Status::InProgress).then_some(Status::InProgress),
                ..Default::default()
            };
            version = tickets::update(state, &admin, t.id, changes)
                .await
                .map_err(err)?
                .version;
        }
        let worker = assignee.map(|i| &agents[i]).unwrap_or(&admin);
        if let Some(n) = note {
            say(state, worker, t.conversation_id, n, "note").await?;
        }
        if let Some(r) = reply {
            say(state, worker, t.conversation_id, r, "text").await?;
            // A pending ticket waits for the customer's answer (writing would reopen it).
            if status != Status::Pending {
                say(state, requester, t.conversation_id, "Thank you!", "text").await?;
            }
        }
        if matches!(status, Status::Closed | Status::Pending) {
            let changes = Changes {
                version,
                status: Some(status),
                ..Default::default()
            };
            tickets::update(state, worker, t.id, changes)
                .await
                .map_err(err)?;
        }
        count += 1;
    }

    // Contacts and direct conversations.
    for (a, b) in [
        (&customers[0], &customers[2]),
        (&customers[1], &customers[3]),
    ] {
        for (x, y) in [(a.id, b.id), (b.id, a.id)] {
            contact::ActiveModel {
                user_id: Set(x),
                contact_id: Set(y),
                created_at: Set(now_ms()),
            }
            .insert(&state.db)
            .await?;
        }
        let (conv, _) = conversations::open_direct(state, a, b.id)
            .await
            .map_err(err)?;
        say(
            state,
            a,
            conv.id,
            &format!("Hi {}! Did support sort out your issue?", b.display_name),
            "text",
        )
        .await?;
        say(state, b, conv.id, "Yes, they were quick this time.", "text").await?;
    }
    let (conv, _) = conversations::open_direct(state, &agents[0], agents[2].id)
        .await
        .map_err(err)?;
    say(
        state,
        &agents[0],
        conv.id,
        "Can you look at the Android upload crash when you have a minute?",
        "text",
    )
    .await?;

    println!("Demo desk ready: {count} tickets, 2 teams, 4 agents, 4 customers.");
    println!("Every account's password: {secret}");
    println!("  admin     admin@demo.switchboard");
    println!("  agents    ana@, ben@ (Billing), chen@, dana@ (Technical) …@demo.switchboard");
    println!("  customers elena@, farid@, grace@, hugo@ …@customer.example");
    Ok(())
}
