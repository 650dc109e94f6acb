import MESCore
import MESRender
import MESService

/// `mes key export`: the certificate (PEM) as text; with its fingerprint and name in JSON.
struct CertificateExport: Report {
    let certificate: SigningCertificate
    var text: String { certificate.pem }
    var json: JSON {
        .obj([("certificate", .string(certificate.pem)), ("fingerprint", .string(certificate.fingerprint)),
              ("name", .string(certificate.name))])
    }
}

/// `mes key import`: whose key signs receipts from now on.
struct KeyImport: Report {
    let certificate: SigningCertificate
    var text: String {
        "Les justificatifs seront désormais signés par \(certificate.name) (empreinte \(certificate.fingerprint))."
    }
    var json: JSON {
        .obj([("status", "imported"), ("fingerprint", .string(certificate.fingerprint)), ("name", .string(certificate.name))])
    }
}
