# experience-event.jq: the built-in experience-event mapping set (xdm/defaults/
# experience-event.json) written as a jq program, for measuring `ciosim transform` against
# a peer with the same output. Run as
#
#   jq -c -f scripts/jq/experience-event.jq events.jsonl
#
# on bare Customer.io events (`ciosim generate`): it prints, line for line, the bytes of
# `ciosim transform --mapping experience-event events.jsonl` (no --validate, default tenant
# _tenant). TestJQExperienceEvent (jq_test.go) holds it to that on every kind of event.
#
# What it does not do: it rejects nothing (transform drops a record without _id or
# timestamp, or one that breaks the ExperienceEvent rules, and says why on stderr; generated
# events never are), it reads no recordings, and where the Data Prep functions compare or
# convert across types (a number equal to a numeric string, "" as false) it assumes the
# types Customer.io sends. Keys are written in the order ciosim writes them (sorted), so
# jq needs no -S; members whose value is null, and objects left empty, are left out.

# del_nulls: drop the null members of an object; null when none is left.
def del_nulls: del(.[] | nulls) | if . == {} then null else . end;

# Data Prep's concat(x) of one value: its text; null gives "".
def concat1: if . == null then "" elif type == "string" then . else tostring end;

.object_type as $ot
| .metric as $m
| .data as $d
| ($d.identifiers.id) as $pid
| ($d.delivery_id) as $del
| ($d.recipient) as $rcpt
| (if ($d.recipients | type) == "array" then $d.recipients else null end) as $rs
| ($rs[0]?.device_platform) as $platform
| ($d.failure_message // $rs[0]?.failure_message) as $fail
| ($d.identifiers.email // $d.email_address // (if $ot == "email" then $rcpt else null end)) as $email
| (if $ot == "sms" or $ot == "whatsapp" then $rcpt else null end) as $phone
| ({email: "https://ns.adobe.com/xdm/channels/email", customer: "https://ns.adobe.com/xdm/channels/email",
    push: "https://ns.adobe.com/xdm/channels/push", in_app: "https://ns.adobe.com/xdm/channels/inApp",
    sms: "https://ns.adobe.com/xdm/channels/sms", whatsapp: "https://ns.adobe.com/xdm/channels/whatsapp",
    slack: "https://ns.adobe.com/xdm/channels/slack", webhook: "https://ns.adobe.com/xdm/channels/webhook"}[$ot | concat1]
   // ("https://ns.adobe.com/xdm/channels/" + ($ot | concat1))) as $chid
| ({email: "https://ns.adobe.com/xdm/channel-types/email", customer: "https://ns.adobe.com/xdm/channel-types/email",
    push: "https://ns.adobe.com/xdm/channel-types/mobile", in_app: "https://ns.adobe.com/xdm/channel-types/mobile",
    sms: "https://ns.adobe.com/xdm/channel-types/mobile", whatsapp: "https://ns.adobe.com/xdm/channel-types/messaging",
    slack: "https://ns.adobe.com/xdm/channel-types/messaging", webhook: "https://ns.adobe.com/xdm/channel-types/web"}[$ot | concat1]) as $chtype
| ({opened: "open", clicked: "click", unsubscribed: "unsubscribe", spammed: "spam_complaint",
    replied: "reply", subscribed: "subscription", cio_subscription_preferences_changed: "subscription"}[$m | concat1]) as $interaction
| (if $ot == "email" then $m else null end) as $em
| {
    _experience: ({customerJourneyManagement: ({
      emailChannelContext: (if $ot == "email" then
        {address: $rcpt,
         domain: (if ($rcpt | type) == "string" then ($rcpt | split("@") | if length > 1 and .[-1] != "" then .[-1] else null end) else null end)}
        | del_nulls else null end),
      messageDeliveryfeedback: ({
        feedbackStatus: (if $ot != "customer" then
          {sent: "sent", delivered: "delivered", bounced: "bounce", dropped: "denylist", failed: "error",
           undeliverable: "exclude", attempted: "delay", drafted: "unknown"}[$m | concat1] else null end),
        messageFailure: (if $fail != null then
          {category: (if $m == "attempted" or $m == "failed" then "sync" else "async" end),
           reason: $fail,
           type: {bounced: "hard", dropped: "hard", attempted: "soft", failed: "soft", undeliverable: "soft"}[$m | concat1]}
          | del_nulls else null end)
      } | del_nulls),
      messageExecution: ({
        campaignActionID: (if $d.action_id != null then $d.action_id | concat1 else null end),
        campaignID: (if $d.campaign_id != null then $d.campaign_id | concat1 else null end),
        journeyVersionInstanceID: $d.journey_id,
        messageExecutionID: ($del // .event_id),
        messageType: (if $d.transactional_message_id != null then "transactional" elif $del != null then "marketing" else null end)
      } | del_nulls),
      messageInteraction: ({
        entityType: (if $ot != "customer" and $interaction != null then "message" else null end),
        interactionType: $interaction,
        isBot: (if $d.machine != null or $d.prefetched != null then ($d.machine == true or $d.prefetched == true) else null end),
        label: $d.tracked_response,
        subscription: (if $ot == "customer" then
          ({subscriptionChoice: {subscribed: "yes", unsubscribed: "no"}[$m | concat1]} | del_nulls) else null end),
        url: $d.href,
        urlID: (if $d.link_id != null then $d.link_id | concat1 else null end)
      } | del_nulls),
      messageProfile: ({
        channel: ({_id: $chid, _type: $chtype} | del_nulls),
        isTestExecution: (if $ot != "customer" then $d.identifiers.cio_id == null else null end)
      } | del_nulls),
      pushChannelContext: (if $ot == "push" then {platform: $platform} | del_nulls else null end),
      smsChannelContext: (if $ot == "sms" then
        {inboundNumber: (if $m == "replied" then $d.to else null end), profileNumber: $rcpt} | del_nulls else null end)
    } | del_nulls)} | del_nulls),
    _id: .event_id,
    _tenant: ({customerio: ({
      actionID: $d.action_id,
      broadcastID: $d.broadcast_id,
      campaignID: $d.campaign_id,
      cioID: $d.identifiers.cio_id,
      contentID: $d.content_id,
      customerID: $d.customer_id,
      deliveryID: $del,
      devices: (if $rs == null then null else
        [$rs[] | if type == "object" then {deviceID: .device_id, failureMessage: .failure_message, platform: .device_platform} | del_nulls else null end]
        | until(length == 0 or .[-1] != null; .[:-1]) end),
      failureMessage: $fail,
      href: $d.href,
      inboundEventID: $d.inbound_event_id,
      journeyID: $d.journey_id,
      linkID: $d.link_id,
      metric: $m,
      newsletterID: $d.newsletter_id,
      objectType: $ot,
      parentActionID: $d.parent_action_id,
      recipient: $rcpt,
      subject: $d.subject,
      to: $d.to,
      transactionalMessageID: $d.transactional_message_id,
      triggerEventID: $d.trigger_event_id,
      triggerID: $d.trigger_id
    } | del_nulls)} | del_nulls),
    channel: {_id: $chid, _type: $chtype, mode: "push", typeAtSource: $ot} | del_nulls,
    directMarketing: (if $ot != "email" and $ot != "customer" then null else ({
      bounces: (if $em == "bounced" then {value: 1} else null end),
      clicks: (if $em == "clicked" then {value: 1} else null end),
      emailDelivered: (if $em == "delivered" then {value: 1} else null end),
      messageID: (if $ot == "email" then $del else null end),
      nonDeliverables: (if $em == "undeliverable" then {value: 1} else null end),
      notSent: (if $em == "dropped" or $em == "failed" then {value: 1} else null end),
      opens: (if $em == "opened" then {value: 1} else null end),
      sends: (if $em == "sent" then {value: 1} else null end),
      unsubscriptions: (if ($ot == "email" or $ot == "customer") and $m == "unsubscribed" then {value: 1} else null end),
      userComplaints: (if $em == "spammed" then {value: 1} else null end)
    } | del_nulls) end),
    eventType: ({"email.sent": "directMarketing.emailSent", "email.delivered": "directMarketing.emailDelivered",
      "email.opened": "directMarketing.emailOpened", "email.clicked": "directMarketing.emailClicked",
      "email.bounced": "directMarketing.emailBounced", "email.unsubscribed": "directMarketing.emailUnsubscribed",
      "customer.unsubscribed": "directMarketing.emailUnsubscribed", "push.opened": "pushTracking.applicationOpened",
      "push.clicked": "pushTracking.customAction", "in_app.opened": "inappmessageTracking.display",
      "in_app.clicked": "inappmessageTracking.interact"}[($ot | concat1) + "." + ($m | concat1)]
      // {opened: "message.tracking", clicked: "message.tracking", converted: "message.tracking",
           replied: "message.tracking", spammed: "message.tracking", subscribed: "message.tracking",
           cio_subscription_preferences_changed: "message.tracking"}[$m | concat1]
      // "message.feedback"),
    identityMap: ({
      CustomerIO: (if $pid != null then [{authenticatedState: "ambiguous", id: $pid, primary: true}] else null end),
      Email: (if $email != null then [{authenticatedState: "ambiguous", id: $email, primary: ($pid == null)}] else null end),
      Phone: (if $phone != null then [{authenticatedState: "ambiguous", id: $phone, primary: ($pid == null and $email == null)}] else null end)
    } | del_nulls),
    inappMessageTracking: (if $ot == "in_app" then {action: {opened: "display", clicked: "interact"}[$m | concat1]} | del_nulls else null end),
    producedBy: "self",
    pushNotificationTracking: (if $ot == "push" then {
      customAction: (if $m == "clicked" then {actionID: ($d.link_id | concat1), value: 1} else null end),
      isLaunch: (if $m == "opened" then true else null end),
      pushProvider: ({ios: "apns", android: "fcm"}[$platform | concat1] // $platform),
      pushProviderMessageID: $del
    } | del_nulls else null end),
    timestamp: ((.timestamp * 1000 | if . < 0 then -(-. | floor) else floor end) / 1000 | floor | todate)
  }
| del(.[] | nulls)
