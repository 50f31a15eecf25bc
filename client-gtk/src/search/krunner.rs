//! `org.kde.krunner1`: KDE's KRunner, translated to [`Search`].

use super::{Search, SearchError, reply};
use gtk::glib::prelude::ToVariant;
use gtk::{gio, glib};
use std::rc::Rc;

const XML: &str = include_str!("../../data/dbus/org.kde.krunner1.xml");
/// Where the runner is served (named in the runner's .desktop file).
pub const PATH: &str = "/org/latchkey/Latchkey/KRunner";

/// KRunner's match type for a match of the query (`Plasma::QueryMatch::ExactMatch` is 100).
const POSSIBLE_MATCH: i32 = 30;

pub fn register(
    connection: &gio::DBusConnection,
    search: Rc<Search>,
) -> Result<gio::RegistrationId, glib::Error> {
    let node = gio::DBusNodeInfo::for_xml(XML)?;
    let Some(interface) = node.lookup_interface("org.kde.krunner1") else {
        return Err(glib::Error::new(
            gio::IOErrorEnum::InvalidData,
            "no interface",
        ));
    };
    connection
        .register_object(PATH, &interface)
        .method_call(move |_, sender, _, _, method, params, invocation| {
            let sender = sender.unwrap_or_default().to_string();
            let search = search.clone();
            match method {
                "Actions" => {
                    let none: Vec<(String, String, String)> = Vec::new();
                    invocation.return_value(Some(&(none,).into()));
                }
                "Match" => {
                    let (query,) = params.get::<(String,)>().unwrap_or_default();
                    reply(invocation, async move {
                        let terms: Vec<String> =
                            query.split_whitespace().map(str::to_string).collect();
                        let matches: Vec<glib::Variant> = search
                            .find(&sender, &terms)
                            .await
                            .into_iter()
                            .map(|h| {
                                let props = glib::VariantDict::new(None);
                                props.insert("subtext", h.subtitle);
                                glib::Variant::tuple_from_iter([
                                    h.id.to_variant(),
                                    h.title.to_variant(),
                                    "org.latchkey.Latchkey".to_variant(),
                                    POSSIBLE_MATCH.to_variant(),
                                    0.8f64.to_variant(),
                                    props.end(),
                                ])
                            })
                            .collect();
                        let ty = glib::VariantTy::new("(sssida{sv})")
                            .map_err(|_| SearchError::Daemon("bad match type".into()))?;
                        let array = glib::Variant::array_from_iter_with_type(ty, matches);
                        Ok(Some(glib::Variant::tuple_from_iter([array])))
                    });
                }
                "Run" => {
                    let (id, _) = params.get::<(String, String)>().unwrap_or_default();
                    reply(invocation, async move {
                        search.activate(&sender, &id).await?;
                        Ok::<_, SearchError>(None)
                    });
                }
                _ => invocation.return_dbus_error(
                    "org.freedesktop.DBus.Error.UnknownMethod",
                    "no such method",
                ),
            }
        })
        .build()
}
