//! Behind a real nginx: per-address limits count each client, not the
//! proxy, and a client's own `X-Forwarded-For` is not believed.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::*;

/// nginx on a loopback port in front of the app, appending the client to
/// `X-Forwarded-For` as the docs say; stopped when dropped.
struct Nginx {
    child: Child,
    port: u16,
}

impl Nginx {
    async fn start(dir: &Path, app: SocketAddr) -> Nginx {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let d = dir.display();
        std::fs::write(
            dir.join("nginx.conf"),
            format!(
                "daemon off;\nmaster_process off;\nuser root;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
                 events {{ worker_connections 64; }}\n\
                 http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
                 fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
                 server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      proxy_pass http://{app};\n\
                 proxy_set_header Host $host;\n      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n    }}\n  }}\n}}\n"
            ),
        )
        .unwrap();
        // Owned by the guard at once, so that a failed start still stops it.
        let child = Command::new("nginx")
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx: run through scripts/test.sh, which installs it");
        let nginx = Nginx { child, port };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return nginx;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "nginx did not start: {}",
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client whose connections come from `from` (a loopback address).
fn client_from(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A sign-in attempt with an address that cannot be an account (so no
/// password is hashed); the status.
async fn attempt(c: &reqwest::Client, to: &str, spoof: Option<&str>) -> u16 {
    let form = c
        .get(format!("{to}/login"))
        .header("host", "news.localhost")
        .send()
        .await
        .unwrap();
    let cookie = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .collect::<Vec<_>>()
        .join("; ");
    let body = form.text().await.unwrap();
    let at = body.find("name=\"csrf\" value=\"").map(|i| i + 19);
    let csrf = at
        .map(|i| body[i..i + body[i..].find('"').unwrap()].to_string())
        .unwrap_or_default();
    let mut req = c
        .post(format!("{to}/login"))
        .header("host", "news.localhost")
        .header("cookie", cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "not-an-address"),
            ("password", "x"),
        ]);
    if let Some(s) = spoof {
        req = req.header("x-forwarded-for", s);
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn behind_a_trusted_nginx_each_client_has_its_own_sign_in_limit() {
    let app = TestApp::builder().trusting(&["127.0.0.1"]).start().await;
    let nginx = Nginx::start(app.dir.path(), app.addr).await;
    let proxy = format!("http://127.0.0.1:{}", nginx.port);
    let (a, b) = (client_from("127.0.0.2"), client_from("127.0.0.3"));
    // Client A uses up the 30 attempts of its address, spoofing or not.
    for i in 0..30 {
        let spoof = (i % 2 == 0).then_some("198.51.100.7");
        assert_eq!(attempt(&a, &proxy, spoof).await, 401, "attempt {i}");
    }
    assert_eq!(attempt(&a, &proxy, None).await, 429);
    // A header naming another client does not move A's attempts onto it.
    assert_eq!(attempt(&a, &proxy, Some("127.0.0.3")).await, 429);
    // Client B, through the same proxy, is not locked out.
    assert_eq!(attempt(&b, &proxy, None).await, 401);
    // Straight to the app (not through a trusted proxy), a header is ignored:
    // this client is its own address, whatever it claims.
    let direct = client_from("127.0.0.4");
    let app_url = format!("http://{}", app.addr);
    assert_eq!(attempt(&direct, &app_url, Some("127.0.0.2")).await, 401);
    drop(nginx);
    app.stop().await;
}
