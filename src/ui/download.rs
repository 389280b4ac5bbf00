//! Files handed to the browser as downloads (the lab's exports, the sweep's CSV and SVG).

use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Hand `text` to the browser as a file download (Blob + object URL + `<a download>`).
pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let js = |e: JsValue| format!("{e:?}");
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = js_sys::Object::new();
    js_sys::Reflect::set(&opts, &"type".into(), &mime.into()).map_err(js)?;
    let ctor: js_sys::Function = js_sys::Reflect::get(&window(), &"Blob".into())
        .map_err(js)?
        .dyn_into()
        .map_err(js)?;
    let blob: web_sys::Blob = js_sys::Reflect::construct(&ctor, &js_sys::Array::of2(&parts, &opts))
        .map_err(js)?
        .unchecked_into();
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js)?;
    download_url(name, &url)?;
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        Duration::from_secs(60),
    );
    Ok(())
}

/// Download `href` (an object or data URL) as `name`.
pub fn download_url(name: &str, href: &str) -> Result<(), String> {
    let doc = document();
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    a.set_href(href);
    a.set_download(name);
    let _ = a.set_attribute("hidden", "");
    let body = doc.body().ok_or("no body")?;
    body.append_child(&a).map_err(|e| format!("{e:?}"))?;
    a.click();
    a.remove();
    Ok(())
}
