//! A call to someone with no open socket rings their devices through a push of kind `call`:
//! urgent, alive only as long as the call rings, through quiet hours, and without the caller's
//! name when previews are hidden.

use super::*;
use crate::calls::{expect_call, invite, on};

push_test!(
    a_call_to_an_offline_callee_is_pushed_urgently,
    |app: TestApp, service: PushService| async move {
        let (agent, ana, conversation) = app.agent_and_customer().await;
        let device = Device::new(service.endpoint("ana"));
        assert_eq!(subscribe(&app, &ana, device.subscription()).await.0, 201);
        let token = "ExponentPushToken[ana-phone]";
        let (status, _) = subscribe(&app, &ana, json!({"kind": "expo", "token": token})).await;
        assert_eq!(status, 201);

        let mut alice = app.ws(&agent).await;
        alice.send(invite(conversation, "video")).await;
        let ringing = expect_call(&mut alice, "call_ringing").await;
        let got = service.wait_web(1).await;
        let push = &got[0];
        assert_eq!(push.device, "ana");
        assert_eq!(push.header("urgency"), "high");
        let ttl: u64 = push.header("ttl").parse().unwrap();
        assert!(
            ttl > 0 && ttl <= 45,
            "a call's push outlives its ring: {ttl}"
        );
        let payload = device.open(&push.body);
        assert_eq!(payload["kind"], "call");
        assert_eq!(payload["title"], "Agent");
        assert_eq!(payload["body"], "Incoming video call");
        assert_eq!(payload["conversation_id"], conversation);
        assert_eq!(payload["tag"], format!("call:{conversation}"));
        let expo = service.wait_expo(1).await;
        let message = &expo[0][0];
        assert_eq!(message["to"], token);
        assert_eq!(message["priority"], "high");
        assert_eq!(message["ttl"], 45);
        assert_eq!(message["data"]["kind"], "call");
        drained(&app).await;
        alice
            .send(on("call_cancel", ringing["call_id"].as_str().unwrap()))
            .await;
        expect_call(&mut alice, "call_ended").await;

        // In her quiet hours, with previews hidden: the call still rings through, nameless.
        super::quiet::set_quiet(&app, &ana, true, super::quiet::around_now()).await;
        alice.send(invite(conversation, "audio")).await;
        expect_call(&mut alice, "call_ringing").await;
        let got = service.wait_web(2).await;
        drained(&app).await;
        let hidden = device.open(&got[1].body);
        assert_eq!(hidden["kind"], "call");
        assert_eq!(hidden["title"], "Incoming call");
        assert!(hidden.get("body").is_none(), "{hidden}");
        assert!(!hidden.to_string().contains("Agent"), "{hidden}");
        // …while a message in the same quiet hours is not pushed.
        app.send_message(&agent, conversation, "Call me back").await;
        drained(&app).await;
        assert_eq!(service.web().len(), 2);
    }
);
