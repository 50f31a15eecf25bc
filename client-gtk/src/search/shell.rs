//! `org.gnome.Shell.SearchProvider2`: GNOME Shell's search, translated to [`Search`].

use super::{Search, SearchError, reply};
use gtk::{gio, glib};
use std::rc::Rc;

const XML: &str = include_str!("../../data/dbus/org.gnome.Shell.SearchProvider2.xml");
/// Where the provider is served (named in the shell's search-provider .ini).
pub const PATH: &str = "/org/latchkey/Latchkey/SearchProvider";

/// The icon results show.
const ICON: &str = "org.latchkey.Latchkey";

pub fn register(
    connection: &gio::DBusConnection,
    search: Rc<Search>,
) -> Result<gio::RegistrationId, glib::Error> {
    let node = gio::DBusNodeInfo::for_xml(XML)?;
    let Some(interface) = node.lookup_interface("org.gnome.Shell.SearchProvider2") else {
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
                "GetInitialResultSet" => {
                    let (terms,) = params.get::<(Vec<String>,)>().unwrap_or_default();
                    reply(invocation, async move {
                        let ids: Vec<String> = search
                            .find(&sender, &terms)
                            .await
                            .into_iter()
                            .map(|h| h.id)
                            .collect();
                        Ok(Some((ids,).into()))
                    });
                }
                "GetSubsearchResultSet" => {
                    let (_, terms) = params
                        .get::<(Vec<String>, Vec<String>)>()
                        .unwrap_or_default();
                    reply(invocation, async move {
                        let ids: Vec<String> = search
                            .find(&sender, &terms)
                            .await
                            .into_iter()
                            .map(|h| h.id)
                            .collect();
                        Ok(Some((ids,).into()))
                    });
                }
                "GetResultMetas" => {
                    let (ids,) = params.get::<(Vec<String>,)>().unwrap_or_default();
                    let metas: Vec<glib::VariantDict> = search
                        .metas(&sender, &ids)
                        .into_iter()
                        .map(|h| {
                            let d = glib::VariantDict::new(None);
                            d.insert("id", h.id);
                            d.insert("name", h.title);
                            d.insert("description", h.subtitle);
                            d.insert("gicon", ICON);
                            d
                        })
                        .collect();
                    let metas: Vec<glib::Variant> = metas.iter().map(|d| d.end()).collect();
                    let array =
                        glib::Variant::array_from_iter_with_type(glib::VariantTy::VARDICT, metas);
                    invocation.return_value(Some(&glib::Variant::tuple_from_iter([array])));
                }
                "ActivateResult" => {
                    let (id, _, _) = params
                        .get::<(String, Vec<String>, u32)>()
                        .unwrap_or_default();
                    reply(invocation, async move {
                        search.activate(&sender, &id).await?;
                        Ok::<_, SearchError>(None)
                    });
                }
                "LaunchSearch" => {
                    let (terms, _) = params.get::<(Vec<String>, u32)>().unwrap_or_default();
                    search.launch(&terms);
                    invocation.return_value(None);
                }
                _ => invocation.return_dbus_error(
                    "org.freedesktop.DBus.Error.UnknownMethod",
                    "no such method",
                ),
            }
        })
        .build()
}
