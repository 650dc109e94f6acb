/// Every stable error code `mes` reports, with its exit status: the one catalogue scripts
/// can rely on (the raw value is the JSON `code`): the errors commands end with, each rejected
/// row's and column's reason, why a receipt is not authentic and why a message was not
/// delivered. Messages are written where the error is raised (and worded for the command line
/// by `MESCLI`); the status is decided here, once, with no exception.
public enum ErrorCode: String, CaseIterable, Sendable {
    // exit usage
    case cancelled
    case confirmationRequired = "confirmation_required"
    case usage
    // Usage errors, each for one kind of mistake on the command line (exit 64).
    case unknownCommand = "unknown_command"
    case unknownOption = "unknown_option"
    case missingCommand = "missing_command"
    case missingOption = "missing_option"
    case missingValue = "missing_value"
    case missingArgument = "missing_argument"
    case unexpectedArgument = "unexpected_argument"
    case invalidValue = "invalid_value"
    case conflictingOptions = "conflicting_options"
    case nowRefused = "now_refused"
    case deliveryConfigInvalid = "delivery_config_invalid"
    case associationInvalid = "association_invalid"
    case actorInvalid = "actor_invalid"
    case postingDateInvalid = "posting_date_invalid"
    // exit invalidData
    case printBatchUnknown = "print_batch_unknown"
    /// A spreadsheet (.xlsx, .ods) refused: damaged, too large, of a kind not read, encrypted,
    /// unsafe XML, or no such sheet (`MESSheets.SheetError`'s codes).
    case sheetNotSpreadsheet = "sheet_not_spreadsheet"
    case sheetUnreadable = "sheet_unreadable"
    case sheetTooLarge = "sheet_too_large"
    case sheetUnsupported = "sheet_unsupported"
    case sheetEncrypted = "sheet_encrypted"
    case sheetUnsafe = "sheet_unsafe"
    case sheetNotFound = "sheet_not_found"
    case birthDateFuture = "birth_date_future"
    case birthDateInvalid = "birth_date_invalid"
    case cguRequired = "cgu_required"
    case fileTooLarge = "file_too_large"
    case keyInvalid = "key_invalid"
    case inputTooLarge = "input_too_large"
    case lineTooLong = "line_too_long"
    case cardTypeInvalid = "card_type_invalid"
    case codeCharacter = "code_character"
    case codeLength = "code_length"
    case codeRequired = "code_required"
    case contactMissing = "contact_missing"
    case csvEmpty = "csv_empty"
    case csvExtraField = "csv_extra_field"
    case csvHeader = "csv_header"
    case csvMalformed = "csv_malformed"
    case csvMalformedRow = "csv_malformed_row"
    case emailInvalid = "email_invalid"
    case fieldRequired = "field_required"
    case legalRepresentativeInvalid = "legal_representative_invalid"
    case mobileInvalid = "mobile_invalid"
    case nameInvalid = "name_invalid"
    case nirCharacter = "nir_character"
    case nirFormat = "nir_format"
    case nirLength = "nir_length"
    case passwordCommon = "password_common"
    case passwordDigit = "password_digit"
    case passwordInvalid = "password_invalid"
    case passwordLength = "password_length"
    case passwordLower = "password_lower"
    case passwordMismatch = "password_mismatch"
    case passwordPersonal = "password_personal"
    case passwordRequired = "password_required"
    case passwordSpecial = "password_special"
    case passwordUpper = "password_upper"
    case profileAmbiguous = "profile_ambiguous"
    case profileNotFound = "profile_not_found"
    case receiptNotFound = "receipt_not_found"
    case rosterInvalid = "roster_invalid"
    // a row's cell spoilt by a spreadsheet's CSV export (`ExportTrap`: what happened, the fix)
    case exportScientificNotation = "export_scientific_notation"
    case exportDecimalSuffix = "export_decimal_suffix"
    case exportLeadingZeroLost = "export_leading_zero_lost"
    case exportTwoDigitYear = "export_two_digit_year"
    case exportDayNumber = "export_day_number"
    case encodingInvalid = "encoding_invalid"
    // a roster row's column (`mes import`: each row problem's code)
    case nirInvalid = "nir_invalid"
    case serialInvalid = "serial_invalid"
    case firstNameInvalid = "first_name_invalid"
    case lastNameInvalid = "last_name_invalid"
    case addressInvalid = "address_invalid"
    case holderBirthDateInvalid = "holder_birth_date_invalid"
    case deceasedInvalid = "deceased_invalid"
    case stateInvalid = "state_invalid"
    case stateSinceInvalid = "state_since_invalid"
    /// A roster row whose person the register already holds (same NIR, birth date and first name).
    case personPresent = "person_present"
    /// A roster row whose person an earlier row of the file already gave.
    case personDuplicate = "person_duplicate"
    case notifiedAtInvalid = "notified_at_invalid"
    // a CSV header's column
    case columnUnknown = "column_unknown"
    case columnDuplicate = "column_duplicate"
    case columnMissing = "column_missing"
    // why a receipt is not authentic (`mes receipt verify`: its `reason`)
    case signature
    case byteRange = "byte_range"
    case updateAppended = "update_appended"
    case truncated
    case multipleSignatures = "multiple_signatures"
    case malformed
    case recordMismatch = "record_mismatch"
    case unknownSigner = "unknown_signer"
    case serialDigits = "serial_digits"
    case serialPhotoLength = "serial_photo_length"
    case serialPlainLength = "serial_plain_length"
    case serialRequired = "serial_required"
    case usernameCharacter = "username_character"
    case usernameEmail = "username_email"
    case usernameIban = "username_iban"
    case usernameInvalid = "username_invalid"
    case usernameLength = "username_length"
    case usernameNir = "username_nir"
    case usernameTaken = "username_taken"
    case messageTampered = "message_tampered"
    case inputEmpty = "input_empty"
    // exit noInput
    case fileUnreadable = "file_unreadable"
    case fileNotRegular = "file_not_regular"
    case messageNotFound = "message_not_found"
    case stdinUnreadable = "stdin_unreadable"
    case storeMissing = "store_missing"
    // exit refused
    case legalRepresentativeRequired = "legal_representative_required"
    case adviserUnknown = "adviser_unknown"
    case phoneClosed = "phone_closed"
    case alreadyActive = "already_active"
    case alreadyClosed = "already_closed"
    case notActivable = "not_activable"
    case notActive = "not_active"
    case noReceipt = "no_receipt"
    case noAccount = "no_account"
    case storeNotEmpty = "store_not_empty"
    /// `fixtures --members` on a store holding that seed's population in another state (another
    /// count or date, or changed since): `--force` replaces it.
    case fixturesPresent = "fixtures_present"
    case storeNotForTests = "store_not_for_tests"
    // exit internal
    case `internal`
    case storeCorrupt = "store_corrupt"
    case storeError = "store_error"
    // exit cannotCreate
    case cannotCreate = "cannot_create"
    case storeUnsafe = "store_unsafe"
    case unsafeOutput = "unsafe_output"
    case diskFull = "disk_full"
    case fileExists = "file_exists"
    case storeReadonly = "store_readonly"
    // exit temporary
    case storeBusy = "store_busy"
    case letterLimit = "letter_limit"
    case tooSoon = "too_soon"
    // exit refused
    case alreadyPosted = "already_posted"
    // exit identificationFailed
    case codeExpired = "code_expired"
    case codeSuperseded = "code_superseded"
    case codeUsed = "code_used"
    case identityNotFound = "identity_not_found"
    case locked
    case otpRejected = "otp_rejected"
    case sessionExpired = "session_expired"
    case sessionUnknown = "session_unknown"

    // exit ioError
    case outputFailed = "output_failed"
    // exit configuration
    case secretFileExposed = "secret_file_exposed"

    // exit interrupted: Ctrl-C or SIGTERM stopped a batch between two groups of rows
    case interrupted

    // exit temporary: why a message was not delivered (recorded with it; a wave stopped by a
    // configuration failure exits 75)
    case connectionFailed = "connection_failed"
    case timeout
    case smtpRejected = "smtp_rejected"
    case recipientRejected = "recipient_rejected"
    case senderRejected = "sender_rejected"
    case authFailed = "auth_failed"
    case tlsFailed = "tls_failed"
    case httpStatus = "http_status"
    case invalidRecipient = "invalid_recipient"
    case invalidEnvelope = "invalid_envelope"
    case sendmailFailed = "sendmail_failed"
    case transportFailed = "transport_failed"

    /// The exit status this error ends a command with.
    public var status: ExitStatus {
        switch self {
        case .outputFailed:
            return .ioError
        case .secretFileExposed:
            return .configuration
        case .interrupted:
            return .interrupted
        case .cancelled:
            return .declined
        case .confirmationRequired, .usage, .unknownCommand, .unknownOption, .missingCommand, .missingOption, .missingValue, .missingArgument,
             .unexpectedArgument, .invalidValue, .conflictingOptions, .nowRefused, .deliveryConfigInvalid, .associationInvalid, .actorInvalid, .postingDateInvalid:
            return .usage
        case .cguRequired, .fileTooLarge, .keyInvalid, .inputTooLarge, .lineTooLong, .birthDateFuture, .birthDateInvalid, .cardTypeInvalid, .codeCharacter, .codeLength, .codeRequired, .contactMissing, .csvEmpty, .csvExtraField, .csvHeader, .csvMalformed, .csvMalformedRow, .emailInvalid, .fieldRequired, .legalRepresentativeInvalid, .mobileInvalid, .nameInvalid, .nirCharacter, .nirFormat, .nirLength, .passwordCommon, .passwordDigit, .passwordInvalid, .passwordLength, .passwordLower, .passwordMismatch, .passwordPersonal, .passwordRequired, .passwordSpecial, .passwordUpper, .profileAmbiguous, .profileNotFound, .receiptNotFound, .rosterInvalid,
             .exportScientificNotation, .exportDecimalSuffix, .exportLeadingZeroLost, .exportTwoDigitYear, .exportDayNumber, .encodingInvalid,
             .serialDigits, .serialPhotoLength, .serialPlainLength, .serialRequired, .usernameCharacter, .usernameEmail, .usernameIban, .usernameInvalid, .usernameLength, .usernameNir, .usernameTaken,
             .nirInvalid, .serialInvalid, .firstNameInvalid, .lastNameInvalid, .addressInvalid, .holderBirthDateInvalid, .deceasedInvalid,
             .stateInvalid, .stateSinceInvalid, .notifiedAtInvalid, .personPresent, .personDuplicate, .columnUnknown, .columnDuplicate, .columnMissing,
             .signature, .byteRange, .updateAppended, .truncated, .multipleSignatures, .malformed, .recordMismatch, .unknownSigner, .messageTampered, .inputEmpty, .printBatchUnknown,
             .sheetNotSpreadsheet, .sheetUnreadable, .sheetTooLarge, .sheetUnsupported, .sheetEncrypted, .sheetUnsafe, .sheetNotFound:
            return .invalidData
        case .fileUnreadable, .fileNotRegular, .messageNotFound, .stdinUnreadable, .storeMissing:
            return .noInput
        case .legalRepresentativeRequired, .adviserUnknown, .phoneClosed, .alreadyActive, .alreadyClosed, .notActivable, .notActive, .noAccount, .storeNotEmpty, .fixturesPresent, .storeNotForTests, .noReceipt, .alreadyPosted:
            return .refused
        case .internal, .storeCorrupt, .storeError:
            return .internal
        case .cannotCreate, .storeUnsafe, .unsafeOutput, .diskFull, .fileExists, .storeReadonly:
            return .cannotCreate
        case .storeBusy, .tooSoon, .letterLimit, .connectionFailed, .timeout, .smtpRejected, .recipientRejected, .senderRejected, .authFailed, .tlsFailed,
             .httpStatus, .invalidRecipient, .invalidEnvelope, .sendmailFailed, .transportFailed:
            return .temporary
        case .codeExpired, .codeSuperseded, .codeUsed, .identityNotFound, .locked, .otpRejected, .sessionExpired, .sessionUnknown:
            return .identificationFailed
        }
    }
}
