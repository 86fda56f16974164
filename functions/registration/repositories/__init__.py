"""The registration area's items in the main table (docs/data-model.md; layout in
docs/decisions/0020-registration-items-and-states.md), one module per kind of item. Keys come from sat_common.keys.

PK                      SK                  module            what
REGISTRATION#<id>       REGISTRATION        registrations     one registration attempt: basic data, state, questions
PERSON#<TYPE>-<NUMBER>  REGISTRATION_CLAIM  registrations     at most one registration in progress per document
PERSON#<TYPE>-<NUMBER>  IDENTITY_CHECK      identity_checks   failed question sets in the 30-day memory, lockedUntil
PERSON#<TYPE>-<NUMBER>  QUESTION_SEED       identity_checks   random seed and the person's question bank (0026)
PERSON#<TYPE>-<NUMBER>  ACCOUNT             accounts          PASSWORD_PENDING/ACTIVE, current set-password token hash,
                                                              e-mail quota
SETPWD#<sha256(token)>  TOKEN               accounts          set-password link: welcome, RESET (0075), OPERATOR_INVITE
PERSON#<TYPE>-<NUMBER>  PROFILE             profiles          names, document, e-mail, contact data, consents summary
PERSON#<TYPE>-<NUMBER>  LOGIN_DELAY#<src>   login_delays      failed sign-ins from one source, delayUntil (0028)
PERSON#<TYPE>-<NUMBER>  MFA_TOTP            totp              TOTP enrolment: status, encrypted secret, last step (0029)
MFACHALLENGE#<sha256>   MFA_CHALLENGE       totp              a sign-in waiting for its TOTP code
PERSON#<TYPE>-<NUMBER>  PASSWORD_RESET      password_resets   reset requests in the current hour (any document; 0075)
PERSON#<TYPE>-<NUMBER>  EMAIL_CHANGE        email_changes     the pending e-mail change: address, token hash, quota
EMAILCHG#<sha256>       TOKEN               email_changes     e-mail change link (0076)
PERSON#<TYPE>-<NUMBER>  ROLE#<ROLE>[#<NIT>] people            the roles later areas grant (read only here)

Times a person reads are stored as sat_common.clock.stamp() text, comparisons and TTL as epoch seconds.
DynamoDB TTL deletes late (and moto never), so every read compares times in code. A write whose condition
does not hold raises sat_common.dynamo.ConditionFailed; the use cases decide what that means.
"""
