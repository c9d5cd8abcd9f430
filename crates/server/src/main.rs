//! The `switchboard` binary: configuration, logging, and the command the user asked for.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use switchboard::config::Settings;
use switchboard::domain::{DisplayName, Email, Password, Role, parse_text, text_of};
use switchboard::{auth, startup, telemetry};

/// mimalloc: cheaper than glibc's malloc for the many small, short-lived buffers of the message
/// path, and it gives argon2's 19 MiB blocks back instead of keeping them in per-thread arenas.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Self-hosted real-time support chat"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Fill an empty database with a demo support desk.
    Seed {
        /// Required: confirms you want demo data.
        #[arg(long)]
        demo: bool,
    },
    /// Print the OpenAPI document (what `/openapi.json` serves) and exit; needs no settings.
    Openapi,
    /// Write a consistent snapshot of the SQLite database and the uploaded files to one
    /// archive, while the server runs.
    Backup {
        /// The archive to create (must not exist).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Replace the database and files with a backup's (the server must be stopped).
    Restore {
        /// The archive written by `switchboard backup`.
        #[arg(long)]
        from: std::path::PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from standard input (or a prompt), never an argument.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["customer", "agent", "admin"])]
        role: String,
        #[arg(long)]
        display_name: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        return match switchboard::startup::openapi().to_pretty_json() {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(problems) => {
            for p in problems {
                eprintln!("error: {p}");
            }
            return ExitCode::from(2);
        }
    };
    telemetry::init(settings.log_format, &settings.log_level);
    switchboard::sched::configure(settings.sched_slice_us);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(switchboard::sched::apply_to_this_thread)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let listen = settings.listen;
            let tls = settings.tls.is_some();
            let _sqlite_lock = switchboard::db::lock_sqlite(&settings.database_url)?;
            let state = startup::build_state(settings).await?;
            let listener = startup::bind(listen)?;
            startup::shutdown_on_signals(state.shutdown.clone());
            let scheme = if tls { "https" } else { "http" };
            tracing::info!(address = %listener.local_addr()?, "switchboard listening on {scheme}://{}", listener.local_addr()?);
            startup::serve(listener, state).await
        }
        Command::Migrate => {
            let db = switchboard::db::connect(&settings.database_url).await?;
            switchboard::db::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    role,
                    display_name,
                },
        } => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!(e.public_message()))?;
            let role: Role = parse_text(&role).ok_or_else(|| anyhow::anyhow!("unknown role"))?;
            let name = display_name.unwrap_or_else(|| {
                email
                    .as_str()
                    .split('@')
                    .next()
                    .unwrap_or("user")
                    .to_string()
            });
            let name =
                DisplayName::parse(&name).map_err(|e| anyhow::anyhow!(e.public_message()))?;
            let password = read_password()?;
            let password =
                Password::parse(password).map_err(|e| anyhow::anyhow!(e.public_message()))?;
            let state = startup::build_state(settings).await?;
            let user = auth::service::create_user(&state, &email, &name, &password, role)
                .await
                .map_err(|e| anyhow::anyhow!(e.public_message()))?;
            println!(
                "created {} user {} (id {})",
                text_of(role),
                user.email,
                user.id
            );
            Ok(())
        }
        Command::Seed { demo } => {
            anyhow::ensure!(demo, "pass --demo to fill the database with demo data");
            let state = startup::build_state(settings).await?;
            switchboard::seed::demo(&state).await
        }
        Command::Backup { out } => {
            let s = switchboard::backup::backup(&settings, &out).await?;
            println!(
                "backed up the database ({} bytes) and {} files to {}",
                s.database_bytes,
                s.files,
                out.display()
            );
            Ok(())
        }
        Command::Restore { from, force } => {
            let s = switchboard::backup::restore(&settings, &from, force)?;
            println!(
                "restored the database ({} bytes) and {} files from {}",
                s.database_bytes,
                s.files,
                from.display()
            );
            Ok(())
        }
        Command::Openapi => unreachable!("printed before the settings are read"),
    }
}

/// From a prompt when standard input is a terminal, otherwise its first line.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(first == again, "the passwords differ");
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}
