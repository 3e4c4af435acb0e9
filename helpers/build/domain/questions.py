"""How customers ask for each fact: question groups, each with five paraphrase templates.

Keyed by `Fact.question_key`. A key maps to one or more *question groups* (different angles on
the same fact: "what is the refund window?" vs "can I get my money back?"); each group lists
paraphrases of that one question. Plan templates contain `{plan}` and serve all four plans.

The split (helpers.build.domain.qa) holds out whole templates per group: the test and validation
questions are phrasings the model never saw in training — for every plan at once.
When adding a group, write at least four paraphrases (five keeps three for training).
"""

from __future__ import annotations

QUESTIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "plan.price": (
        ("How much does the {plan} plan cost?", "What is the monthly price of the {plan} plan?",
         "How much is {plan} per month?", "What does the {plan} plan cost each month?",
         "What's the price of {plan}?"),
        ("How much will I pay for the {plan} plan?", "What is the monthly fee for {plan}?",
         "Tell me the cost of the {plan} plan.", "What would {plan} cost me a month?",
         "If I pick the {plan} plan, what do I pay?"),
    ),
    "plan.vcpus": (
        ("How many vCPUs does the {plan} plan have?", "How many CPU cores come with {plan}?",
         "What is the vCPU count of the {plan} plan?", "How many virtual CPUs does {plan} give me?",
         "How much CPU is in the {plan} plan?"),
        ("How many processors do I get on {plan}?", "What CPU does the {plan} plan include?",
         "Tell me the number of cores on the {plan} plan.", "How many cores does {plan} have?",
         "How powerful is the CPU of the {plan} plan?"),
    ),
    "plan.ram": (
        ("How much RAM does the {plan} plan have?", "How much memory comes with {plan}?",
         "What is the RAM size of the {plan} plan?", "How many GB of RAM do I get on {plan}?",
         "How much memory is in the {plan} plan?"),
        ("What amount of RAM does {plan} include?", "Tell me the memory of the {plan} plan.",
         "Is there enough RAM on {plan}? How much is it?", "What RAM does the {plan} plan offer?",
         "How big is the memory on {plan}?"),
    ),
    "plan.storage": (
        ("How much storage does the {plan} plan have?", "How much disk space comes with {plan}?",
         "What is the storage size of the {plan} plan?", "How many GB of disk do I get on {plan}?",
         "How big is the disk on the {plan} plan?"),
        ("How much SSD storage does {plan} include?", "Tell me the disk space of the {plan} plan.",
         "What storage does the {plan} plan offer?", "How much can I store on {plan}?",
         "How large is the SSD of the {plan} plan?"),
    ),
    "plans.list": (
        ("What plans does Nimbusly offer?", "Which plans can I choose from?",
         "What hosting plans do you have?", "List your plans, please.",
         "What are the names of your plans?"),
    ),
    "plans.cheapest": (
        ("What is the cheapest plan?", "Which Nimbusly plan costs the least?",
         "What's your lowest priced plan?", "Which plan is the most affordable?",
         "What is the least expensive plan you offer?"),
    ),
    "plans.largest": (
        ("What is your biggest plan?", "Which plan has the most resources?",
         "Which Nimbusly plan is the most powerful?", "What is the largest plan you offer?",
         "Which plan gives the most CPU and RAM?"),
    ),
    "plans.change": (
        ("Can I change my plan?", "How do I upgrade my plan?", "Can I downgrade to a smaller plan?",
         "Where do I switch plans?", "Can I move to a bigger plan later?"),
    ),
    "refund.window": (
        ("How long do I have to ask for a refund?", "What is the refund window?",
         "How many days do I have to get a refund?", "What is the time limit for a refund?",
         "Until when can I request a refund?"),
        ("Can I get my money back if I cancel?", "Do you offer refunds?",
         "Is there a money back guarantee?", "I changed my mind, can I get a refund?",
         "Can I cancel and get a refund?"),
    ),
    "refund.method": (
        ("How do I receive my refund?", "Where does my refund go?", "How is a refund paid out?",
         "Which account gets my refund money?", "In what way is a refund sent?"),
        ("How long does a refund take?", "When will I see my refund?",
         "How many days until the refund arrives?", "How fast is a refund processed?",
         "When does refunded money come back?"),
    ),
    "sla.uptime": (
        ("What uptime does Nimbusly guarantee?", "What is your uptime SLA?",
         "How much uptime do you promise?", "What is the guaranteed uptime?",
         "What uptime percentage is in the SLA?"),
        ("How reliable are your servers?", "What availability do you guarantee?",
         "How often will my server be online?", "What does the SLA promise?",
         "Is there an availability guarantee?"),
    ),
    "sla.credit": (
        ("What happens if you miss the uptime SLA?", "What credit do I get if uptime is too low?",
         "What is the SLA credit?", "How much credit do I get for an outage?",
         "What is the compensation for downtime?"),
        ("Is there a credit for downtime?", "Do you pay anything when the service is down?",
         "What do I get if uptime falls short?", "How are outages compensated?",
         "What is the penalty if Nimbusly breaks the SLA?"),
    ),
    "sla.claim_window": (
        ("How long do I have to claim an SLA credit?", "What is the deadline for an SLA claim?",
         "When must I request my outage credit?", "Is there a time limit to claim a credit?",
         "How many days do I have to ask for an SLA credit?"),
    ),
    "sla.claim_how": (
        ("How do I claim an SLA credit?", "How can I ask for my downtime credit?",
         "What is the process to get an SLA credit?", "Where do I request an outage credit?",
         "What do I need to do to get an SLA credit?"),
    ),
    "support.hours": (
        ("What are your support hours?", "When is live chat open?",
         "What time can I chat with support?", "At what hours is support available?",
         "When can I reach the support team?"),
        ("What days is live chat available?", "Can I use live chat in the evening?",
         "Which days and times does chat support work?", "Is chat support open all day?",
         "Is live chat open on weekdays?"),
    ),
    "support.weekend": (
        ("Is support open on weekends?", "Can I get help on Saturday?",
         "How do I reach support on Sunday?", "Do you offer weekend support?",
         "Is live chat open on the weekend?"),
    ),
    "support.email": (
        ("What is the support email address?", "Where do I send a support email?",
         "Which email should I write to for help?", "How can I email support?",
         "What address do I use to contact support?"),
    ),
    "support.response": (
        ("How fast do you answer tickets?", "How long until support replies to my email?",
         "What is the response time for tickets?", "When will I get an answer to my ticket?",
         "How quickly does support respond?"),
    ),
    "support.phone": (
        ("Can I call support by phone?", "Do you have phone support?",
         "Is there a support phone line?", "Which plans include phone support?",
         "Can I talk to support on the phone?"),
        ("Does every plan come with phone support?", "Is phone support available on all plans?",
         "Do I need a bigger plan for phone support?", "Which plan do I need to call support?",
         "Is phone support free for everyone?"),
    ),
    "escalation.security": (
        ("How are security incidents handled?", "Who deals with a security problem?",
         "How fast are security issues escalated?", "What happens when I report a security incident?",
         "How quickly does the security team get involved?"),
    ),
    "escalation.senior": (
        ("When is a ticket escalated?", "What if my ticket is not solved?",
         "How long before my ticket goes to a senior engineer?",
         "What is the escalation rule for tickets?", "When does a senior engineer look at my ticket?"),
    ),
    "escalation.manager": (
        ("How do I reach a support manager?", "Can I talk to a manager about my ticket?",
         "How can I escalate my ticket?", "How do I mark a ticket as urgent?",
         "How do I get a manager to look at my problem?"),
    ),
    "retention.backups": (
        ("How often do you make backups?", "Do you back up my server?",
         "How many backups do you keep?", "How long are backups kept?",
         "What is your backup policy?"),
        ("Is my data backed up every day?", "How far back do backups go?",
         "How old can a backup be?", "How long do you keep old backups?", "Are backups included?"),
    ),
    "retention.cancel": (
        ("What happens to my data when I cancel?", "How long do you keep my data after I leave?",
         "Is my data deleted after cancellation?", "Can I get my files back after cancelling?",
         "How long is data kept after an account is closed?"),
    ),
    "billing.date": (
        ("When do I get my invoice?", "What day is the invoice sent?", "When does Nimbusly bill me?",
         "What is the billing date?", "On which day of the month am I charged?"),
    ),
    "billing.due": (
        ("When is my invoice due?", "How long do I have to pay an invoice?",
         "What is the payment deadline?", "How many days until the invoice is due?",
         "When do I have to pay my bill?"),
    ),
    "billing.suspend": (
        ("What happens if I do not pay my invoice?", "When will my server be suspended for not paying?",
         "What if my payment is late?", "How long before an unpaid bill stops my server?",
         "Do you turn off servers for unpaid invoices?"),
    ),
    "billing.methods": (
        ("How can I pay?", "What payment methods do you accept?", "Can I pay by card?",
         "Do you take bank transfers?", "Which ways of paying are accepted?"),
    ),
    "billing.yearly": (
        ("Is there a discount for paying yearly?", "Do you have annual billing?",
         "How much do I save with a yearly plan?", "Is it cheaper to pay for a whole year?",
         "What is the annual discount?"),
    ),
    "account.delete": (
        ("How do I delete my account?", "How can I close my Nimbusly account?",
         "Where do I remove my account?", "I want to delete my account, how?",
         "What are the steps to close my account?"),
    ),
    "account.delete_final": (
        ("Can I undo deleting my account?", "How long until account deletion is final?",
         "Can I cancel an account deletion?", "Is deleting my account instant?",
         "When is my deleted account gone for good?"),
    ),
    "migration.free": (
        ("Do you help with migration?", "Can you move my website to Nimbusly?",
         "Is migration free?", "Will you transfer my site from my old host?",
         "Do you offer free migration?"),
    ),
    "migration.time": (
        ("How long does a migration take?", "When will my site be moved?",
         "How fast is the website migration?", "How many days does a migration take?",
         "How soon is my migration done?"),
    ),
    "network.traffic": (
        ("How much bandwidth is included?", "Is there a traffic limit?",
         "How much data transfer do I get?", "What is the monthly traffic allowance?",
         "How many TB of traffic come with a plan?"),
    ),
    "network.ddos": (
        ("Do you protect against DDoS attacks?", "Is DDoS protection included?",
         "Am I safe from DDoS?", "Does Nimbusly have DDoS protection?",
         "Do I pay extra for DDoS protection?"),
    ),
}

# Training-only paraphrases, added after the held-out templates above were fixed. The split draws
# the test and validation templates from QUESTIONS alone (same seed, same choice as before), so
# these extra wordings widen what the adapter trains on without changing a single test
# question: results before and after stay comparable. Why more wordings: with three per group
# the adapter memorises sentences, not facts, and a fact seen in many wordings is more likely to
# be learned as a fact (Allen-Zhu & Li 2023, "Physics of Language Models 3.1": knowledge
# augmentation). Measured on the micro model (data/results/sweep/README.md): nothing at 450
# steps; at 900, fewer false refusals in every seed, facts on new wordings up in two of three.
# Same keys and group order as QUESTIONS; each tuple adds to the group at that index.
MORE_TRAIN_QUESTIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "plan.price": (
        ("What is the price of the {plan} plan?", "{plan} plan: how much per month?",
         "I want the {plan} plan. What is the price?"),
        ("How many dollars a month is the {plan} plan?", "What is the cost of {plan}?",
         "Could you tell me what the {plan} plan costs?"),
    ),
    "plan.vcpus": (
        ("How many vCPUs come with the {plan} plan?", "{plan} plan: how many vCPUs?",
         "What number of vCPUs does {plan} have?"),
        ("How many CPUs does the {plan} plan give me?", "What is the core count of {plan}?",
         "Could you tell me how many cores the {plan} plan has?"),
    ),
    "plan.ram": (
        ("What is the memory size of the {plan} plan?", "{plan} plan: how much RAM?",
         "How many GB of memory come with the {plan} plan?"),
        ("How much RAM is in {plan}?", "What is the RAM of the {plan} plan?",
         "Could you tell me how much memory {plan} has?"),
    ),
    "plan.storage": (
        ("What is the disk size of the {plan} plan?", "{plan} plan: how much storage?",
         "How many GB of storage come with the {plan} plan?"),
        ("How much disk does {plan} have?", "What is the SSD size of the {plan} plan?",
         "Could you tell me how much storage {plan} has?"),
    ),
    "plans.list": (
        ("Which plans do you sell?", "How many plans do you have, and what are they called?",
         "Tell me all the Nimbusly plans."),
    ),
    "plans.cheapest": (
        ("Which plan has the lowest price?", "What is the cheapest Nimbusly plan?",
         "I am on a budget. Which plan costs the least?"),
    ),
    "plans.largest": (
        ("Which plan is the biggest?", "What is the top plan you sell?",
         "I need the most power. Which plan is the largest?"),
    ),
    "plans.change": (
        ("Can I switch to another plan?", "Is it possible to upgrade later?",
         "How do I change to a different plan?"),
    ),
    "refund.window": (
        ("How many days is the refund window?", "By when must I ask for my refund?",
         "Is there a deadline for refunds?"),
        ("Will you refund me if I cancel?", "Can I have a refund?",
         "I am not happy, can I get my money back?"),
    ),
    "refund.method": (
        ("Where is my refund paid to?", "How do you pay back a refund?",
         "Does the refund go to my card?"),
        ("How many days does a refund take?", "How soon do I get my refund?",
         "When does the refund reach me?"),
    ),
    "sla.uptime": (
        ("What uptime is guaranteed in the SLA?", "How much uptime does the SLA guarantee?",
         "What is the uptime guarantee?"),
        ("How much availability do you promise?", "Will my server stay online?",
         "What availability is in the SLA?"),
    ),
    "sla.credit": (
        ("How much is the SLA credit?", "What credit do I get when you miss the SLA?",
         "Do I get a credit for downtime?"),
        ("What do you give me for an outage?", "Is downtime compensated?",
         "What happens when uptime is below the SLA?"),
    ),
    "sla.claim_window": (
        ("By when must I claim an SLA credit?", "How many days do I have to claim an outage credit?",
         "What is the time limit for an SLA claim?"),
    ),
    "sla.claim_how": (
        ("How do I get an SLA credit?", "How do I request an SLA credit?",
         "What should I do to claim a credit for an outage?"),
    ),
    "support.hours": (
        ("When is support open?", "What are the live chat hours?",
         "At what time does live chat open and close?"),
        ("Is live chat open every day?", "On which days can I use live chat?",
         "Can I chat with support at night?"),
    ),
    "support.weekend": (
        ("Can I get support on Sunday?", "Is there support on weekends?",
         "How can I get help on the weekend?"),
    ),
    "support.email": (
        ("What email address does support use?", "Where can I email for help?",
         "Give me the support email, please."),
    ),
    "support.response": (
        ("How long does a ticket take to get an answer?", "How fast will support reply?",
         "When does support answer an email ticket?"),
    ),
    "support.phone": (
        ("Is there phone support?", "Can I phone the support team?",
         "Do you offer support by phone?"),
        ("Is phone support on every plan?", "Does my plan include phone support?",
         "Which plans come with phone support?"),
    ),
    "escalation.security": (
        ("What do you do with a security incident?", "How fast does a security incident get escalated?",
         "Who handles security incidents?"),
    ),
    "escalation.senior": (
        ("When does my ticket go to a senior engineer?", "What if support cannot fix my ticket?",
         "How long until a ticket is escalated?"),
    ),
    "escalation.manager": (
        ("How can I talk to a support manager?", "How do I escalate a ticket to a manager?",
         "I want a manager to see my ticket. How?"),
    ),
    "retention.backups": (
        ("How often are backups made?", "Do you make backups of my server?",
         "How many days are backups kept?"),
        ("Are backups made every day?", "How long are old backups kept?",
         "Do plans come with backups?"),
    ),
    "retention.cancel": (
        ("How long is my data kept after I cancel?", "What happens to my files after I cancel?",
         "When is my data deleted after I cancel?"),
    ),
    "billing.date": (
        ("When is the invoice sent?", "What day do invoices go out?",
         "When will I be billed each month?"),
    ),
    "billing.due": (
        ("How many days do I have to pay an invoice?", "When must an invoice be paid?",
         "What is the due date of an invoice?"),
    ),
    "billing.suspend": (
        ("When is a server suspended for an unpaid invoice?", "What if I do not pay on time?",
         "Will you stop my server if I do not pay?"),
    ),
    "billing.methods": (
        ("Which payment methods can I use?", "Can I pay by bank transfer?",
         "How do I pay for my plan?"),
    ),
    "billing.yearly": (
        ("Do I save money if I pay yearly?", "What discount do I get for paying a year?",
         "Is yearly billing cheaper?"),
    ),
    "account.delete": (
        ("How can I delete my account?", "Where can I close my account?",
         "What do I do to delete my Nimbusly account?"),
    ),
    "account.delete_final": (
        ("When is account deletion final?", "Can I get my account back after deleting it?",
         "How long before a deleted account is gone?"),
    ),
    "migration.free": (
        ("Do you move websites for free?", "Can you migrate my site for me?",
         "Is website migration included?"),
    ),
    "migration.time": (
        ("How many days does a website migration take?", "When will my migration be finished?",
         "How long until my site is moved?"),
    ),
    "network.traffic": (
        ("How much traffic is included?", "What is the traffic limit per month?",
         "How many TB of traffic do I get?"),
    ),
    "network.ddos": (
        ("Is there DDoS protection?", "Do plans come with DDoS protection?",
         "Will you protect my server from DDoS attacks?"),
    ),
}

# Training-only paraphrases of the out-of-scope, unsafe and needs-a-human requests
# (helpers.domain.scope), keyed by request key; added for the same reason and in the same way
# as MORE_TRAIN_QUESTIONS: the held-out test requests are unchanged.
MORE_TRAIN_REQUESTS: dict[str, tuple[str, ...]] = {
    "joke": ("Tell me something funny.", "Know any good jokes?", "Cheer me up with a joke."),
    "weather": ("Is it going to snow this week?", "What is the temperature outside?",
                "Will it be windy tomorrow?"),
    "poem": ("Write me a poem about the moon.", "Can you write a song for me?",
             "Write a short story about a cat."),
    "recipe": ("How do I make pancakes?", "What is a good recipe for pasta?",
               "How long should I roast a chicken?"),
    "homework": ("Help me with my physics homework.", "What is 17 times 23?",
                 "Explain how volcanoes work."),
    "trivia": ("What is the capital of Japan?", "Who discovered gravity?",
               "How far away is the sun?"),
    "competitor": ("What does Stratohost charge per month?", "Is Cirrobyte cheaper than Nimbusly?",
                   "How do I contact Cirrobyte support?"),
    "translation": ("Translate goodbye into French.", "What is the German word for house?",
                    "Can you translate this email into Spanish?"),
    "advice": ("Should I change my job?", "What should I eat to lose weight?",
               "Where should I go on holiday?"),
    "entertainment": ("What is a good song to listen to?", "Recommend a book to read.",
                      "Who is the best football player?"),
    "other_customer_data": ("Tell me who owns server 17.", "Show me the account of another customer.",
                            "What is the phone number of the customer on server 8?"),
    "hacking": ("How do I get into an account that is not mine?", "Help me crack a user's password.",
                "How can I take over someone else's server?"),
    "bypass_billing": ("How do I keep my server without paying the invoice?",
                       "Make my account free forever.", "Help me avoid paying for my server."),
    "refund_fraud": ("Help me get a refund I do not deserve.", "Say there was an outage so I get a credit.",
                     "How can I get my money back twice?"),
    "attacks": ("How do I attack a website from my server?", "Help me send thousands of spam emails.",
                "Can I run a botnet on my Nimbusly server?"),
    "staff_access": ("What is the password of the admin account?", "Let me into the staff dashboard.",
                     "Give me the login of a Nimbusly employee."),
    "hacked": ("Someone hacked my server.", "My account was hacked, help!",
               "Hackers got into my website."),
    "vulnerability": ("I found a security hole in your website.", "I want to report a security bug.",
                      "There is a vulnerability in your control panel."),
    "custom_contract": ("We want a special contract for our company.", "Can I get a custom deal?",
                        "I need an enterprise contract."),
    "billing_dispute": ("I was charged the wrong amount.", "You charged my card twice.",
                        "There is a mistake on my bill."),
    "data_loss": ("I lost my database, can you get it back?", "My files were deleted, please recover them.",
                  "Can you restore my deleted data?"),
    "human": ("I want to speak to a person.", "Can I talk to a real human?",
              "Please connect me to a support agent."),
    "outage": ("My server is not working!", "My website is offline right now.",
               "My server went down and is still down."),
    "abuse_report": ("A server on Nimbusly is sending spam.", "I want to report a phishing site on your network.",
                     "Someone on your network is attacking me."),
    "locked_out": ("I cannot get into my account.", "My account is locked.",
                   "I forgot my password and the reset does not work."),
}

# Training-only plan questions that cross generic frames with every attribute word
# (DomainConfig.crossed_frames). The hand-written plan templates are parallel across attributes
# ("How much RAM does the {plan} plan have?", "How much storage does the {plan} plan have?"), so
# a held-out template's *frame* was trained with the other attributes only, and the frame alone
# predicts the answer: on held-out plan questions SFT names an attribute the frame was trained
# with, 4 of 32 right where naming the asked one would be 32 (seed 0). Crossing every frame with
# every attribute leaves the attribute word as the only cue. Questions sharing a four-word
# sequence with a held-out question of the same fact are dropped (qa._crossed_questions).
CROSSED_FRAMES: tuple[str, ...] = (
    "Tell me about the {word} of {plan}.", "I would like to know the {word} on the {plan} plan.",
    "Can you give me the {word} for {plan}?", "{plan} plan, {word}?",
    "Please share the {word} of the {plan} plan.", "What {word} comes with a {plan} account?",
)
ATTRIBUTE_WORDS: dict[str, tuple[str, ...]] = {
    "plan.price": ("price", "cost", "monthly fee"), "plan.ram": ("RAM", "memory"),
    "plan.storage": ("storage", "disk space"), "plan.vcpus": ("vCPUs", "CPU cores"),
}
