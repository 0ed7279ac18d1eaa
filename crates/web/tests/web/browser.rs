//! A small browser for member flows over HTTP: cookies per host, redirects
//! followed (across the network's `*.localhost` sites, all served by the
//! test app, and to real services such as the OpenID Connect provider).

use std::collections::{BTreeMap, HashMap};

use reqwest::Method;

use crate::support::TestApp;

pub struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    /// Cookies by host (ports do not separate cookies).
    pub jar: HashMap<String, BTreeMap<String, String>>,
    /// Every `Set-Cookie` seen, raw, for attribute checks.
    pub set_cookies: Vec<String>,
    /// The host (with port) requests without one go to.
    pub host: String,
    pub origin_header: Option<String>,
    pub user_agent: Option<String>,
    /// An `Accept` header to send, as a script's `fetch` does.
    pub accept: Option<String>,
}

/// A response after redirects.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub url: String,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Page {
    /// The value of the first `<input name="NAME" value="…">` on the page.
    pub fn input(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let at = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no input {name} on {}: {}", self.url, self.body));
        let rest = &self.body[at + marker.len()..];
        rest[..rest.find('"').unwrap()]
            .replace("&#x2f;", "/")
            .replace("&amp;", "&")
    }

    pub fn csrf(&self) -> String {
        self.input("csrf")
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
}

fn host_of(url: &str) -> (String, String) {
    let u = url::Url::parse(url).unwrap();
    let host = u.host_str().unwrap().to_string();
    let with_port = match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    (host, with_port)
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp, host: &str) -> Self {
        Self {
            app,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_gzip()
                .no_brotli()
                .build()
                .unwrap(),
            jar: HashMap::new(),
            set_cookies: Vec::new(),
            host: host.to_string(),
            origin_header: None,
            user_agent: None,
            accept: None,
        }
    }

    /// An absolute URL for a path on the current host.
    fn absolute(&self, url: &str) -> String {
        if url.starts_with("http://") || url.starts_with("https://") {
            url.to_string()
        } else {
            format!("http://{}{}", self.host, url)
        }
    }

    /// Another browser tab: the same cookies, its own requests.
    pub fn clone_session(&self) -> Browser<'a> {
        let mut b = Browser::new(self.app, &self.host);
        b.jar = self.jar.clone();
        b
    }

    /// Sets a cookie as someone else could (a sibling subdomain, say).
    pub fn plant(&mut self, host: &str, name: &str, value: &str) {
        self.jar
            .entry(host.into())
            .or_default()
            .insert(name.into(), value.into());
    }

    pub fn cookie(&self, host: &str, name: &str) -> Option<String> {
        self.jar.get(host).and_then(|c| c.get(name)).cloned()
    }

    /// One request, no redirects followed.
    pub async fn once(
        &mut self,
        method: Method,
        url: &str,
        form: Option<&[(&str, &str)]>,
    ) -> reqwest::Response {
        let payload = form.map(|f| Payload::Form(own(f)));
        self.send(method, url, payload.as_ref()).await
    }

    async fn send(
        &mut self,
        method: Method,
        url: &str,
        payload: Option<&Payload>,
    ) -> reqwest::Response {
        let url = self.absolute(url);
        let (host, with_port) = host_of(&url);
        let parsed = url::Url::parse(&url).unwrap();
        // The network's sites are all the test app; other hosts are real.
        let target = if host.ends_with("localhost") && host != "localhost" {
            let path_query = match parsed.query() {
                Some(q) => format!("{}?{q}", parsed.path()),
                None => parsed.path().to_string(),
            };
            format!("http://{}{path_query}", self.app.addr)
        } else {
            url.clone()
        };
        let mut req = self
            .client
            .request(method, &target)
            .header("host", &with_port);
        if let Some(cookies) = self.jar.get(&host) {
            let line: Vec<String> = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            if !line.is_empty() {
                req = req.header("cookie", line.join("; "));
            }
        }
        if let Some(ua) = &self.user_agent {
            req = req.header("user-agent", ua);
        }
        if let Some(o) = &self.origin_header {
            req = req.header("origin", o);
        }
        if let Some(a) = &self.accept {
            req = req.header("accept", a);
        }
        match payload {
            Some(Payload::Form(f)) => req = req.form(f),
            Some(Payload::Multipart(boundary, body)) => {
                req = req
                    .header(
                        "content-type",
                        format!("multipart/form-data; boundary={boundary}"),
                    )
                    .body(body.clone())
            }
            None => {}
        }
        let resp = req.send().await.unwrap();
        for v in resp.headers().get_all("set-cookie") {
            let raw = v.to_str().unwrap().to_string();
            let (pair, attrs) = raw.split_once(';').unwrap_or((&raw, ""));
            let (k, val) = pair.split_once('=').unwrap();
            let jar = self.jar.entry(host.clone()).or_default();
            if attrs.contains("Max-Age=0") || val.is_empty() {
                jar.remove(k.trim());
            } else {
                jar.insert(k.trim().to_string(), val.to_string());
            }
            self.set_cookies.push(raw);
        }
        resp
    }

    /// Follows redirects (a 303 turns the request into a GET).
    pub async fn go(&mut self, method: Method, url: &str, form: Option<&[(&str, &str)]>) -> Page {
        let payload = form.map(|f| Payload::Form(own(f)));
        self.go_with(method, url, payload).await
    }

    /// Posts a `multipart/form-data` form: its text `fields` and one file
    /// (field name, file name, bytes), as a browser's file input sends it.
    pub async fn post_file(
        &mut self,
        url: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Page {
        let boundary = "kawaraban-test-boundary-7d1f";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        let (name, filename, bytes) = file;
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let payload = Payload::Multipart(boundary.to_string(), body);
        self.go_with(Method::POST, url, Some(payload)).await
    }

    async fn go_with(&mut self, method: Method, url: &str, payload: Option<Payload>) -> Page {
        let mut url = self.absolute(url);
        let mut method = method;
        let mut form = payload;
        for _ in 0..12 {
            let resp = self.send(method.clone(), &url, form.as_ref()).await;
            let status = resp.status().as_u16();
            if (300..400).contains(&status) && status != 304 {
                let loc = resp.headers()["location"].to_str().unwrap().to_string();
                url = url::Url::parse(&url)
                    .unwrap()
                    .join(&loc)
                    .unwrap()
                    .to_string();
                if status == 303 || status == 302 || status == 301 {
                    method = Method::GET;
                    form = None;
                }
                continue;
            }
            self.host = host_of(&url).1;
            let headers = resp.headers().clone();
            let body = resp.text().await.unwrap();
            return Page {
                status,
                url,
                body,
                headers,
            };
        }
        panic!("too many redirects from {url}");
    }

    pub async fn get(&mut self, url: &str) -> Page {
        self.go(Method::GET, url, None).await
    }

    pub async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> Page {
        self.go(Method::POST, url, Some(form)).await
    }

    /// Opens `page_url`, takes its CSRF token and posts `fields` to `action`.
    pub async fn submit(&mut self, page_url: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(page_url).await;
        assert_eq!(page.status, 200, "{page_url}: {}", page.body);
        let csrf = page.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    /// Registers with a password; waits out the minimum fill time.
    pub async fn register(&mut self, email: &str, name: &str, password: &str) -> Page {
        self.register_from(email, name, password, "").await
    }

    /// [`Browser::register`] from `/register?next=NEXT` (none when empty),
    /// sending `next` back as the form does.
    pub async fn register_from(
        &mut self,
        email: &str,
        name: &str,
        password: &str,
        next: &str,
    ) -> Page {
        let form = if next.is_empty() {
            "/register".to_string()
        } else {
            let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
            format!("/register?next={next}")
        };
        let page = self.get(&form).await;
        let (csrf, stamp) = (page.csrf(), page.input("stamp"));
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        let mut fields = vec![
            ("csrf", csrf.as_str()),
            ("stamp", stamp.as_str()),
            ("email", email),
            ("display_name", name),
            ("password", password),
        ];
        if !next.is_empty() {
            fields.push(("next", next));
        }
        self.post("/register", &fields).await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Page {
        self.submit(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Follows an emailed link: its page's one button (a POST).
    pub async fn follow_email_link(&mut self, link: &str) -> Page {
        let page = self.get(link).await;
        assert_eq!(page.status, 200, "{link}: {}", page.body);
        let csrf = page.csrf();
        let path = url::Url::parse(&page.url).unwrap().path().to_string();
        self.post(&path, &[("csrf", &csrf)]).await
    }
}

/// What a request carries.
enum Payload {
    Form(Vec<(String, String)>),
    /// The boundary and the encoded body.
    Multipart(String, Vec<u8>),
}

fn own(form: &[(&str, &str)]) -> Vec<(String, String)> {
    form.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
