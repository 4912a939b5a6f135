//! Users' signing keys: a P-256 key pair and a self-signed X.509 certificate per user, made at
//! the first signature; the private key sealed under a key derived from the user's password, so
//! nobody signs without it. A password change re-seals it; a reset retires it (kept for
//! verification) and the next signature makes a new one. Certificates are published as change
//! events so every node can verify.

use crate::{Ecrf, Result, ServiceError};
use base64::Engine;
use ecrf_core::event::{Actor, Payload};
use ecrf_pdf::sign::{cert_fingerprint, new_identity, open_key, seal_key, SigningIdentity};
use ecrf_store::{SigningKeyRow, UserRow};
use uuid::Uuid;

fn pdf_err(e: ecrf_pdf::PdfError) -> ServiceError {
    ServiceError::Internal(format!("signing key: {e}"))
}

impl Ecrf {
    /// The user's active signing identity, opened with the (already verified) password; made,
    /// sealed and published on first use. Returns it with its certificate's fingerprint.
    pub(crate) fn signing_identity(
        &mut self,
        user: &UserRow,
        password: &str,
    ) -> Result<(SigningIdentity, String)> {
        if let Some(k) = self
            .store
            .signing_keys(&user.user_id)?
            .into_iter()
            .rev()
            .find(|k| k.active)
        {
            let key = open_key(&k.sealed_key, password).map_err(pdf_err)?;
            return Ok((
                SigningIdentity {
                    key_pkcs8_der: key,
                    cert_der: k.cert_der,
                },
                k.fingerprint,
            ));
        }
        let node = self.store.node()?;
        let org = match &node.site {
            Some(site) => format!("{} site {site}", node.study),
            None => format!("{} central", node.study),
        };
        let id =
            new_identity(&user.full_name, &user.username, &org, self.now(), 5).map_err(pdf_err)?;
        let sealed = seal_key(&id.key_pkcs8_der, password).map_err(pdf_err)?;
        let fingerprint = cert_fingerprint(&id.cert_der);
        let row = SigningKeyRow {
            fingerprint: fingerprint.clone(),
            user_id: user.user_id.clone(),
            cert_der: id.cert_der.clone(),
            sealed_key: sealed,
            created_at: self.now_str(),
            active: true,
        };
        let user_id =
            Uuid::parse_str(&user.user_id).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let actor = Actor {
            user_id,
            username: user.username.clone(),
        };
        let now = self.now_str();
        let now_ms = self.now_ms();
        let payload = Payload::CertificatePublished {
            user_id,
            fingerprint: fingerprint.clone(),
            certificate: base64::engine::general_purpose::STANDARD.encode(&id.cert_der),
        };
        self.store.write(|tx| -> Result<()> {
            tx.insert_signing_key(&row)?;
            tx.append_local(&actor, &now, now_ms, vec![payload])?;
            tx.record_security(&now, &actor.username, "certificate_issued", &fingerprint)?;
            Ok(())
        })?;
        Ok((id, fingerprint))
    }

    /// Re-seals a user's active keys under a new password, inside the caller's transaction.
    pub(crate) fn resealed_keys(
        &self,
        user_id: &str,
        old: &str,
        new: &str,
    ) -> Result<Vec<(String, Vec<u8>)>> {
        let mut out = Vec::new();
        for k in self
            .store
            .signing_keys(user_id)?
            .into_iter()
            .filter(|k| k.active)
        {
            let key = open_key(&k.sealed_key, old).map_err(pdf_err)?;
            out.push((k.fingerprint, seal_key(&key, new).map_err(pdf_err)?));
        }
        Ok(out)
    }
}
