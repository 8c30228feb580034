<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About IOTPay Desk</source>
        <translation>À propos d’IOTPay Desk</translation>
    </message>
    <message>
        <source>IOTPay Desk %1</source>
        <translation>IOTPay Desk %1</translation>
    </message>
    <message>
        <source>Look up, refund and void card payments made through IOTPay.</source>
        <translation>Rechercher, rembourser et annuler les paiements par carte faits par IOTPay.</translation>
    </message>
    <message>
        <source>Version:</source>
        <translation>Version :</translation>
    </message>
    <message>
        <source>run from sources</source>
        <translation>exécuté depuis les sources</translation>
    </message>
    <message>
        <source>Built:</source>
        <translation>Construction :</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>inconnu</translation>
    </message>
    <message>
        <source>Commit:</source>
        <translation>Commit :</translation>
    </message>
    <message>
        <source>Qt %1 (PySide6 %2)</source>
        <translation>Qt %1 (PySide6 %2)</translation>
    </message>
    <message>
        <source>Qt:</source>
        <translation>Qt :</translation>
    </message>
    <message>
        <source>Python:</source>
        <translation>Python :</translation>
    </message>
    <message>
        <source>Open &amp;data folder</source>
        <translation>Ouvrir le dossier des &amp;données</translation>
    </message>
    <message>
        <source>Data:</source>
        <translation>Données :</translation>
    </message>
    <message>
        <source>Open &amp;logs folder</source>
        <translation>Ouvrir le dossier des &amp;journaux</translation>
    </message>
    <message>
        <source>Logs:</source>
        <translation>Journaux :</translation>
    </message>
    <message>
        <source>&amp;Copy details</source>
        <translation>&amp;Copier les détails</translation>
    </message>
</context>
<context>
    <name>ActivityPage</name>
    <message>
        <source>When</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Paiement</translation>
    </message>
    <message>
        <source>Every charge, purchase link, refund and void made from this desk or another desk sharing its ledger, newest first. Actions IOTPay has not confirmed yet are checked again until it does.</source>
        <translation>Tous les débits, liens de paiement, remboursements et annulations faits depuis ce poste ou un autre poste qui partage son registre, du plus récent au plus ancien. Les opérations qu’IOTPay n’a pas encore confirmées sont vérifiées de nouveau jusqu’à ce qu’il les confirme.</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Carte</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Opérateur</translation>
    </message>
    <message>
        <source>IOTPay&apos;s order ID of the payment: the one a refund or void returns money from, or the one a charge made</source>
        <translation>Identifiant de commande IOTPay du paiement : celui qu’un remboursement ou une annulation rembourse, ou celui qu’un débit a créé</translation>
    </message>
    <message>
        <source>&amp;Check with IOTPay now</source>
        <translation>&amp;Vérifier auprès d’IOTPay maintenant</translation>
    </message>
    <message>
        <source>&amp;Send again (same number)</source>
        <translation>Env&amp;oyer de nouveau (même numéro)</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>Ac&amp;tualiser</translation>
    </message>
    <message>
        <source>Nothing yet.</source>
        <translation>Rien pour l’instant.</translation>
    </message>
    <message>
        <source>Activity</source>
        <translation>Activité</translation>
    </message>
    <message>
        <source>Reading the journal…</source>
        <translation>Lecture du journal…</translation>
    </message>
    <message>
        <source>•••• %1</source>
        <translation>•••• %1</translation>
    </message>
    <message>
        <source>Walk-in</source>
        <translation>De passage</translation>
    </message>
    <message>
        <source>Refund number: %1</source>
        <translation>Numéro de remboursement : %1</translation>
    </message>
    <message>
        <source>Void number: %1</source>
        <translation>Numéro d’annulation : %1</translation>
    </message>
    <message>
        <source>Order number: %1</source>
        <translation>Numéro de commande : %1</translation>
    </message>
    <message>
        <source>Payment returned: %1</source>
        <translation>Paiement remboursé : %1</translation>
    </message>
    <message>
        <source>IOTPay&apos;s reference: %1</source>
        <translation>Référence IOTPay : %1</translation>
    </message>
    <message>
        <source>IOTPay order ID: %1</source>
        <translation>Identifiant de commande IOTPay : %1</translation>
    </message>
    <message>
        <source>Card ID: %1</source>
        <translation>Identifiant de carte : %1</translation>
    </message>
    <message>
        <source>IOTPay said: “%1”</source>
        <translation>Réponse d’IOTPay : « %1 »</translation>
    </message>
    <message>
        <source>Reason: %1</source>
        <translation>Motif : %1</translation>
    </message>
    <message>
        <source>Note: %1</source>
        <translation>Note : %1</translation>
    </message>
    <message>
        <source>Desk: %1</source>
        <translation>Poste : %1</translation>
    </message>
    <message>
        <source>Checks with IOTPay: %1</source>
        <translation>Vérifications auprès d’IOTPay : %1</translation>
    </message>
    <message>
        <source>IOTPay has no record of it yet; it may still arrive late. The desk keeps checking until %1.</source>
        <translation>IOTPay n’en a encore aucune trace ; l’opération peut encore arriver en retard. Le poste continue de vérifier jusqu’au %1.</translation>
    </message>
    <message>
        <source>Sending again with the same number…</source>
        <translation>Nouvel envoi avec le même numéro…</translation>
    </message>
    <message>
        <source>Checking with IOTPay…</source>
        <translation>Vérification auprès d’IOTPay…</translation>
    </message>
</context>
<context>
    <name>Amounts</name>
    <message>
        <source>is ambiguous — cents follow a “.” or a “,” (one or two digits: 10.50 or 10,50) and thousands are grouped by three (%1)</source>
        <extracomment>The rule an ambiguous separator breaks (translated here: ``%1`` is a grouped example).</extracomment>
        <translation>est ambigu — les cents suivent un « . » ou une « , » (un ou deux chiffres : 10.50 ou 10,50) et les milliers se groupent par trois (%1)</translation>
    </message>
    <message>
        <source>en</source>
        <extracomment>Which language the amount is spelled out in: the catalogue&apos;s (French says &quot;fr&quot;).</extracomment>
        <translation>fr</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <extracomment>Numbers the words are written for: up to a billion less one, in dollars.</extracomment>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>%1: %2.</source>
        <translation>%1 : %2.</translation>
    </message>
    <message>
        <source>Understood: %1.</source>
        <translation>Montant lu : %1.</translation>
    </message>
</context>
<context>
    <name>ChargeDialog</name>
    <message>
        <source>Charge a card on file</source>
        <translation>Débiter une carte enregistrée</translation>
    </message>
    <message>
        <source>e.g. 12.50</source>
        <translation>p. ex. 12,50</translation>
    </message>
    <message>
        <source>shown on the order at IOTPay</source>
        <translation>affiché sur la commande chez IOTPay</translation>
    </message>
    <message>
        <source>optional, e.g. 192.0.2.10</source>
        <translation>facultatif, p. ex. 192.0.2.10</translation>
    </message>
    <message>
        <source>Car&amp;d:</source>
        <translation>&amp;Carte :</translation>
    </message>
    <message>
        <source>&amp;Amount:</source>
        <translation>&amp;Montant :</translation>
    </message>
    <message>
        <source>&amp;Subject:</source>
        <translation>&amp;Objet :</translation>
    </message>
    <message>
        <source>&amp;Note (kept in the journal):</source>
        <translation>&amp;Note (conservée dans le journal) :</translation>
    </message>
    <message>
        <source>Customer &amp;IP address:</source>
        <translation>Adresse &amp;IP du client :</translation>
    </message>
    <message>
        <source>C&amp;harge</source>
        <translation>Dé&amp;biter</translation>
    </message>
    <message>
        <source>&amp;Receipt…</source>
        <translation>&amp;Reçu…</translation>
    </message>
    <message>
        <source>K&amp;eep checking</source>
        <translation>Continuer à &amp;vérifier</translation>
    </message>
    <message>
        <source>Send a&amp;gain (same number)</source>
        <translation>Envoyer de &amp;nouveau (même numéro)</translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation>Préparation…</translation>
    </message>
    <message>
        <source>There is no card to charge.</source>
        <translation>Il n’y a aucune carte à débiter.</translation>
    </message>
    <message>
        <source>Type the amount to charge to %1 of %2.</source>
        <translation>Saisissez le montant à débiter sur %1 de %2.</translation>
    </message>
    <message>
        <source>Charge %1 to %2 of %3 (card ID %4) now. IOTPay takes the money from the card at once; it can be voided until the day&apos;s batch closes.</source>
        <translation>Débiter %1 sur %2 de %3 (identifiant de carte %4) maintenant. IOTPay prélève l’argent sur la carte immédiatement ; le paiement peut être annulé jusqu’à la clôture du jour.</translation>
    </message>
    <message>
        <source>%1: %2.</source>
        <translation>%1 : %2.</translation>
    </message>
    <message>
        <source>Checking recent charges…</source>
        <translation>Vérification des débits récents…</translation>
    </message>
    <message>
        <source>IOTPay has no record of this charge yet (order %1). It may still arrive late, so it is not known whether the card was charged. The desk keeps checking until %2 and shows the outcome in Activity. You can send it again with the same order number: IOTPay refuses a number it has already used, so the card can never be charged twice.</source>
        <translation>IOTPay n’a encore aucune trace de ce paiement (commande %1). Il peut encore arriver en retard : on ne sait donc pas si la carte a été débitée. Le poste continue de vérifier jusqu’au %2 et affiche le résultat dans Activité. Vous pouvez l’envoyer de nouveau avec le même numéro de commande : IOTPay refuse un numéro déjà utilisé, la carte ne peut donc jamais être débitée deux fois.</translation>
    </message>
    <message>
        <source>Sending the charge again with the same number…</source>
        <translation>Nouvel envoi du paiement avec le même numéro…</translation>
    </message>
    <message>
        <source>C&amp;harge again</source>
        <translation>Dé&amp;biter de nouveau</translation>
    </message>
    <message>
        <source>Charging the card with IOTPay…</source>
        <translation>Débit de la carte auprès d’IOTPay…</translation>
    </message>
    <message>
        <source>Charged %1.</source>
        <translation>Débit de %1 effectué.</translation>
    </message>
    <message>
        <source>IOTPay&apos;s reference: %1.</source>
        <translation>Référence IOTPay : %1.</translation>
    </message>
    <message>
        <source>Authorization: %1.</source>
        <translation>Autorisation : %1.</translation>
    </message>
    <message>
        <source>IOTPay has not confirmed the charge yet. The desk keeps checking with IOTPay and shows the outcome in Activity. Do not charge again.</source>
        <translation>IOTPay n’a pas encore confirmé le débit. Le poste continue de vérifier auprès d’IOTPay et affiche le résultat dans Activité. Ne débitez pas de nouveau.</translation>
    </message>
    <message>
        <source>The card was declined: “%1”. Nothing was charged.</source>
        <translation>La carte a été refusée : « %1 ». Rien n’a été débité.</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>aucune raison indiquée</translation>
    </message>
    <message>
        <source>IOTPay never received the charge, so nothing was charged.</source>
        <translation>IOTPay n’a jamais reçu le débit : rien n’a été débité.</translation>
    </message>
    <message>
        <source>This card was already charged %1 on %2 (order %3). Charge it again only if the customer owes it twice.</source>
        <translation>Cette carte a déjà été débitée de %1 le %2 (commande %3). Débitez-la de nouveau seulement si le client le doit deux fois.</translation>
    </message>
    <message>
        <source>IOTPay refused the charge: “%1”. Nothing was charged.</source>
        <translation>IOTPay a refusé le débit : « %1 ». Rien n’a été débité.</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fermer</translation>
    </message>
    <message>
        <source>Checking the charge with IOTPay…</source>
        <translation>Vérification du débit auprès d’IOTPay…</translation>
    </message>
    <message>
        <source>Outcome unknown: IOTPay has not confirmed this charge yet (order %1). Do not charge again; keep checking, or see it later in Activity.</source>
        <translation>Résultat inconnu : IOTPay n’a pas encore confirmé ce débit (commande %1). Ne débitez pas de nouveau ; continuez à vérifier, ou consultez-le plus tard dans Activité.</translation>
    </message>
</context>
<context>
    <name>Charts</name>
    <message>
        <source>MMM d</source>
        <comment>a short date on a chart&apos;s axis (Qt date format)</comment>
        <extracomment>Up to this many days the nets are bars; beyond, a line (a bar would be a hair).</extracomment>
        <translation>d MMM</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>Net</translation>
    </message>
    <message>
        <source>Net below zero</source>
        <translation>Net négatif</translation>
    </message>
    <message>
        <source>No sales on this day</source>
        <translation>Aucune vente ce jour-là</translation>
    </message>
    <message>
        <source>%1: %2 (%3%)</source>
        <translation>%1 : %2 (%3 %)</translation>
    </message>
    <message>
        <source>Daily net totals</source>
        <translation>Totaux nets quotidiens</translation>
    </message>
    <message>
        <source>%1: net %2 (orders: %3)</source>
        <translation>%1 : net %2 (commandes : %3)</translation>
    </message>
    <message>
        <source>Sales by card brand</source>
        <translation>Ventes par réseau</translation>
    </message>
</context>
<context>
    <name>CloseOut</name>
    <message>
        <source>Visa</source>
        <extracomment>The resource names of the report&apos;s chart images (``&lt;img src=...&gt;``).</extracomment>
        <translation>Visa</translation>
    </message>
    <message>
        <source>Mastercard</source>
        <translation>Mastercard</translation>
    </message>
    <message>
        <source>American Express</source>
        <translation>American Express</translation>
    </message>
    <message>
        <source>Interac</source>
        <translation>Interac</translation>
    </message>
    <message>
        <source>JCB</source>
        <translation>JCB</translation>
    </message>
    <message>
        <source>UnionPay</source>
        <translation>UnionPay</translation>
    </message>
    <message>
        <source>Diners Club</source>
        <translation>Diners Club</translation>
    </message>
    <message>
        <source>Discover</source>
        <translation>Discover</translation>
    </message>
    <message>
        <source>Other or unknown card</source>
        <translation>Autre carte ou carte inconnue</translation>
    </message>
    <message>
        <source>No operator recorded</source>
        <translation>Aucun opérateur enregistré</translation>
    </message>
    <message>
        <source>No desk recorded</source>
        <translation>Aucun poste enregistré</translation>
    </message>
    <message>
        <source>Outcome still unknown</source>
        <translation>Résultat encore inconnu</translation>
    </message>
    <message>
        <source>Refund or void not yet confirmed</source>
        <translation>Remboursement ou annulation pas encore confirmé</translation>
    </message>
    <message>
        <source>The ledger and IOTPay disagree</source>
        <translation>Le registre et IOTPay ne concordent pas</translation>
    </message>
    <message>
        <source>IOTPay has no such order</source>
        <translation>IOTPay n’a pas cette commande</translation>
    </message>
    <message>
        <source>Only notified, not confirmed with IOTPay</source>
        <translation>Seulement notifiée, non confirmée auprès d’IOTPay</translation>
    </message>
    <message>
        <source>No notification received</source>
        <translation>Aucune notification reçue</translation>
    </message>
    <message>
        <source>Added to the day after it was closed</source>
        <translation>Ajoutée à la journée après sa clôture</translation>
    </message>
    <message>
        <source>No longer in the day</source>
        <translation>Ne fait plus partie de la journée</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>Modifiée</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Paiement</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>Remboursement</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>Annulation</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Inconnu</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Payée</translation>
    </message>
    <message>
        <source>Paid, notified</source>
        <translation>Payée, notifiée</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Échouée</translation>
    </message>
    <message>
        <source>Not in the day</source>
        <translation>Hors de la journée</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>%1, refunded %2</source>
        <translation>%1, remboursée %2</translation>
    </message>
    <message>
        <source>Charge to a card on file</source>
        <translation>Débit d’une carte enregistrée</translation>
    </message>
    <message>
        <source>Wallet charge</source>
        <translation>Débit par portefeuille</translation>
    </message>
    <message>
        <source>Purchase link</source>
        <translation>Lien d’achat</translation>
    </message>
    <message>
        <source>status</source>
        <translation>état</translation>
    </message>
    <message>
        <source>amount</source>
        <translation>montant</translation>
    </message>
    <message>
        <source>refunded</source>
        <translation>remboursé</translation>
    </message>
    <message>
        <source>%1: %2 → %3</source>
        <translation>%1 : %2 → %3</translation>
    </message>
    <message>
        <source>%1; %2</source>
        <translation>%1 ; %2</translation>
    </message>
    <message>
        <source>No orders.</source>
        <extracomment>The columns of a breakdown (name, orders, sales, refunds, voids, net), in percent: the same in every breakdown, so their figures line up.</extracomment>
        <translation>Aucune commande.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Commandes</translation>
    </message>
    <message>
        <source>Sales</source>
        <translation>Ventes</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>Remboursements</translation>
    </message>
    <message>
        <source>Voids</source>
        <translation>Annulations</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>Net</translation>
    </message>
    <message>
        <source>GST/HST: %1</source>
        <translation>TPS/TVH : %1</translation>
    </message>
    <message>
        <source>Close-out of %1</source>
        <translation>Clôture du %1</translation>
    </message>
    <message>
        <source>Business day from %1 to %2</source>
        <translation>Journée d’affaires du %1 au %2</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Closed by %1 at %2 on desk %3</source>
        <translation>Clôturée par %1 le %2 au poste %3</translation>
    </message>
    <message>
        <source>Not closed: the figures as they were at %1.</source>
        <translation>Non clôturée : les chiffres tels qu’ils étaient le %1.</translation>
    </message>
    <message>
        <source>Changed after it was closed. Orders not as they were when the day was closed: %1 (listed at the end).</source>
        <translation>Modifiée après sa clôture. Commandes qui ne sont plus comme à la clôture de la journée : %1 (listées à la fin).</translation>
    </message>
    <message>
        <source>Totals</source>
        <translation>Totaux</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Failed payments (not counted): %1</source>
        <translation>Paiements échoués (non comptés) : %1</translation>
    </message>
    <message>
        <source>Currency: %1</source>
        <translation>Devise : %1</translation>
    </message>
    <message>
        <source>By card brand</source>
        <translation>Par marque de carte</translation>
    </message>
    <message>
        <source>By operator</source>
        <translation>Par opérateur</translation>
    </message>
    <message>
        <source>By desk</source>
        <translation>Par poste</translation>
    </message>
    <message>
        <source>Needs attention: %1</source>
        <translation>À vérifier : %1</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Quoi</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Commande</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Nothing needs attention.</source>
        <translation>Rien à vérifier.</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <source>Changed after it was closed</source>
        <translation>Modifié après la clôture</translation>
    </message>
    <message>
        <source>IOTPay order ID</source>
        <translation>ID de commande IOTPay</translation>
    </message>
    <message>
        <source>When closed</source>
        <translation>À la clôture</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>Maintenant</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1 : %2</translation>
    </message>
    <message>
        <source>Fingerprint of the orders as closed: %1</source>
        <translation>Empreinte des commandes à la clôture : %1</translation>
    </message>
    <message>
        <source>Made by IOTPay Desk at %1</source>
        <translation>Produit par IOTPay Desk le %1</translation>
    </message>
</context>
<context>
    <name>ConnectionIndicator</name>
    <message>
        <source>Connection not checked</source>
        <translation>Connexion non vérifiée</translation>
    </message>
    <message>
        <source>Checking the connection…</source>
        <translation>Vérification de la connexion…</translation>
    </message>
    <message>
        <source>Connected to IOTPay</source>
        <translation>Connecté à IOTPay</translation>
    </message>
    <message>
        <source>Cannot reach IOTPay</source>
        <translation>IOTPay injoignable</translation>
    </message>
    <message>
        <source>Check the internet connection, then click here to try again.</source>
        <translation>Vérifiez la connexion Internet, puis cliquez ici pour réessayer.</translation>
    </message>
    <message>
        <source>Click to check the connection to IOTPay again.</source>
        <translation>Cliquez pour revérifier la connexion à IOTPay.</translation>
    </message>
</context>
<context>
    <name>Deposits</name>
    <message>
        <source>There is no deposit %1 in the ledger.</source>
        <translation>Il n’y a aucun dépôt %1 dans le registre.</translation>
    </message>
    <message>
        <source>The deposit is already matched to a day: undo that match first.</source>
        <translation>Le dépôt est déjà associé à une journée : défaites d’abord cette association.</translation>
    </message>
    <message>
        <source>The business day %1 is already matched to another deposit: undo that match first.</source>
        <translation>La journée %1 est déjà associée à un autre dépôt : défaites d’abord cette association.</translation>
    </message>
</context>
<context>
    <name>DepositsPanel</name>
    <message>
        <source>“%1” cannot be imported: %2</source>
        <translation>« %1 » ne peut pas être importé : %2</translation>
    </message>
    <message>
        <source>Import the bank&apos;s statement (CSV, OFX or QFX) and match its deposits to the business days&apos; nets: a deposit pays one day, or a weekend&apos;s days together.</source>
        <translation>Importez le relevé de la banque (CSV, OFX ou QFX) et associez ses dépôts aux nets des journées : un dépôt paie une journée, ou les journées d’une fin de semaine ensemble.</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;Du :</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;Au :</translation>
    </message>
    <message>
        <source>&amp;Import statement…</source>
        <translation>&amp;Importer un relevé…</translation>
    </message>
    <message>
        <source>&amp;Match</source>
        <translation>&amp;Associer</translation>
    </message>
    <message>
        <source>Match the period&apos;s deposits to its days by date and amount</source>
        <translation>Associer les dépôts de la période à ses journées par date et montant</translation>
    </message>
    <message>
        <source>Lines not imported:</source>
        <translation>Lignes non importées :</translation>
    </message>
    <message>
        <source>Posted</source>
        <translation>Comptabilisé le</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Pays business day(s)</source>
        <translation>Journée(s) payée(s)</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>Écart</translation>
    </message>
    <message>
        <source>D&amp;eposits:</source>
        <translation>D&amp;épôts :</translation>
    </message>
    <message>
        <source>Business day</source>
        <translation>Journée</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>Net</translation>
    </message>
    <message>
        <source>Deposit</source>
        <translation>Dépôt</translation>
    </message>
    <message>
        <source>Days &amp;without a deposit:</source>
        <translation>Journées &amp;sans dépôt :</translation>
    </message>
    <message>
        <source>Match by &amp;hand</source>
        <translation>Associer à la &amp;main</translation>
    </message>
    <message>
        <source>Match the selected deposit to the selected day or days</source>
        <translation>Associer le dépôt sélectionné à la journée ou aux journées sélectionnées</translation>
    </message>
    <message>
        <source>&amp;Undo match</source>
        <translation>&amp;Défaire l’association</translation>
    </message>
    <message>
        <source>Take back the selected deposit&apos;s match</source>
        <translation>Défaire l’association du dépôt sélectionné</translation>
    </message>
    <message>
        <source>Choose a period of %1 days at most.</source>
        <translation>Choisissez une période de %1 jours au plus.</translation>
    </message>
    <message>
        <source>Reading the deposits…</source>
        <translation>Lecture des dépôts…</translation>
    </message>
    <message>
        <source>The deposits could not be read: %1</source>
        <translation>Les dépôts n’ont pas pu être lus : %1</translation>
    </message>
    <message>
        <source>Import a bank statement</source>
        <translation>Importer un relevé bancaire</translation>
    </message>
    <message>
        <source>Bank statements (*.csv *.ofx *.qfx);;CSV files (*.csv);;All files (*)</source>
        <translation>Relevés bancaires (*.csv *.ofx *.qfx);;Fichiers CSV (*.csv);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Reading the statement…</source>
        <translation>Lecture du relevé…</translation>
    </message>
    <message>
        <source>Importing the statement…</source>
        <translation>Importation du relevé…</translation>
    </message>
    <message>
        <source>%1: deposits added: %2; already in the ledger: %3; withdrawals left out: %4; lines not imported: %5.</source>
        <translation>%1 : dépôts ajoutés : %2 ; déjà dans le registre : %3 ; retraits écartés : %4 ; lignes non importées : %5.</translation>
    </message>
    <message>
        <source>Line %1: %2</source>
        <translation>Ligne %1 : %2</translation>
    </message>
    <message>
        <source>Dates in the statement</source>
        <translation>Dates du relevé</translation>
    </message>
    <message>
        <source>In “%1” every date could be day first or month first (for example “%2”). How does your bank write dates?</source>
        <translation>Dans « %1 », chaque date peut commencer par le jour ou par le mois (par exemple « %2 »). Comment votre banque écrit-elle les dates ?</translation>
    </message>
    <message>
        <source>&amp;Day first</source>
        <translation>&amp;Jour d’abord</translation>
    </message>
    <message>
        <source>Day first: “%1” is %2</source>
        <translation>Jour d’abord : « %1 » est le %2</translation>
    </message>
    <message>
        <source>&amp;Month first</source>
        <translation>&amp;Mois d’abord</translation>
    </message>
    <message>
        <source>Month first: “%1” is %2</source>
        <translation>Mois d’abord : « %1 » est le %2</translation>
    </message>
    <message>
        <source>Matching deposits to days…</source>
        <translation>Association des dépôts aux journées…</translation>
    </message>
    <message>
        <source>Deposits matched now: %1.</source>
        <translation>Dépôts associés maintenant : %1.</translation>
    </message>
    <message>
        <source>Deposits that could pay more than one day: %1 (marked; match them by hand).</source>
        <translation>Dépôts qui pourraient payer plus d’une journée : %1 (marqués ; associez-les à la main).</translation>
    </message>
    <message>
        <source>Matching by hand…</source>
        <translation>Association à la main…</translation>
    </message>
    <message>
        <source>Undoing the match…</source>
        <translation>Suppression de l’association…</translation>
    </message>
    <message>
        <source>%1 (by hand)</source>
        <translation>%1 (à la main)</translation>
    </message>
    <message>
        <source>not matched: could pay more than one day</source>
        <translation>non associé : pourrait payer plus d’une journée</translation>
    </message>
    <message>
        <source>not matched</source>
        <translation>non associé</translation>
    </message>
    <message>
        <source>%1 (file: %2)</source>
        <translation>%1 (fichier : %2)</translation>
    </message>
    <message>
        <source>refunds exceed sales: nothing to deposit</source>
        <translation>les remboursements dépassent les ventes : rien à déposer</translation>
    </message>
    <message>
        <source>no deposit yet</source>
        <translation>aucun dépôt pour l’instant</translation>
    </message>
    <message>
        <source>deposit may still come</source>
        <translation>le dépôt peut encore arriver</translation>
    </message>
    <message>
        <source>No statement imported for this period yet.</source>
        <translation>Aucun relevé importé pour cette période pour l’instant.</translation>
    </message>
    <message>
        <source>Open a profile to see its deposits.</source>
        <translation>Ouvrez un profil pour voir ses dépôts.</translation>
    </message>
    <message>
        <source>Deposits: %1 (matched: %2, not matched: %3). Days without a deposit: %4 (overdue: %5).</source>
        <translation>Dépôts : %1 (associés : %2, non associés : %3). Journées sans dépôt : %4 (en retard : %5).</translation>
    </message>
</context>
<context>
    <name>DirectAddDialog</name>
    <message>
        <source>Enter a card directly</source>
        <translation>Saisir une carte directement</translation>
    </message>
    <message>
        <source>Your merchant profile confirmed PCI DSS compliance, so cards may be typed here. The desk sends them to IOTPay and keeps only the masked number.</source>
        <translation>Votre profil marchand a confirmé la conformité PCI DSS : les cartes peuvent être saisies ici. Le poste les envoie à IOTPay et ne garde que le numéro masqué.</translation>
    </message>
    <message>
        <source>made by the desk</source>
        <translation>créé par le poste</translation>
    </message>
    <message>
        <source>MMYY</source>
        <translation>MMAA</translation>
    </message>
    <message>
        <source>C&amp;ustomer:</source>
        <translation>C&amp;lient :</translation>
    </message>
    <message>
        <source>Card &amp;ID (optional):</source>
        <translation>&amp;Identifiant de carte (facultatif) :</translation>
    </message>
    <message>
        <source>Card &amp;number:</source>
        <translation>&amp;Numéro de carte :</translation>
    </message>
    <message>
        <source>&amp;Expiry (MMYY):</source>
        <translation>&amp;Expiration (MMAA) :</translation>
    </message>
    <message>
        <source>Security &amp;code (CVV):</source>
        <translation>&amp;Code de sécurité (CVV) :</translation>
    </message>
    <message>
        <source>Name on the car&amp;d:</source>
        <translation>Nom sur la car&amp;te :</translation>
    </message>
    <message>
        <source>&amp;Add card</source>
        <translation>&amp;Ajouter la carte</translation>
    </message>
    <message>
        <source>Adding the card at IOTPay…</source>
        <translation>Ajout de la carte chez IOTPay…</translation>
    </message>
    <message>
        <source>Card added: %1 for %2 (card ID %3).</source>
        <translation>Carte ajoutée : %1 pour %2 (identifiant de carte %3).</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fermer</translation>
    </message>
</context>
<context>
    <name>EndOfDayPage</name>
    <message>
        <source>Business day</source>
        <extracomment>The chart periods offered (days). At most this many changes after the close are listed on the page (the report has all).</extracomment>
        <translation>Journée</translation>
    </message>
    <message>
        <source>Business &amp;day:</source>
        <translation>&amp;Journée :</translation>
    </message>
    <message>
        <source>◀ &amp;Previous day</source>
        <translation>◀ Journée &amp;précédente</translation>
    </message>
    <message>
        <source>The business day before (Alt+Left)</source>
        <translation>La journée d’avant (Alt+Gauche)</translation>
    </message>
    <message>
        <source>&amp;Next day ▶</source>
        <translation>Journée &amp;suivante ▶</translation>
    </message>
    <message>
        <source>The business day after (Alt+Right)</source>
        <translation>La journée d’après (Alt+Droite)</translation>
    </message>
    <message>
        <source>T&amp;oday</source>
        <translation>Aujourd’&amp;hui</translation>
    </message>
    <message>
        <source>The business day now, by the profile&apos;s cut-off</source>
        <translation>La journée en cours, selon la clôture du profil</translation>
    </message>
    <message>
        <source>&amp;Reconcile with IOTPay</source>
        <translation>&amp;Rapprocher avec IOTPay</translation>
    </message>
    <message>
        <source>Check every order of the day with IOTPay and list the differences</source>
        <translation>Vérifier chaque commande de la journée auprès d’IOTPay et lister les écarts</translation>
    </message>
    <message>
        <source>C&amp;lose the day…</source>
        <translation>C&amp;lôturer la journée…</translation>
    </message>
    <message>
        <source>Sa&amp;ve report…</source>
        <translation>Enregistrer le rapp&amp;ort…</translation>
    </message>
    <message>
        <source>Save the day&apos;s close-out report as PDF</source>
        <translation>Enregistrer le rapport de clôture de la journée en PDF</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Élément</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Commandes</translation>
    </message>
    <message>
        <source>Sales</source>
        <translation>Ventes</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>Remboursements</translation>
    </message>
    <message>
        <source>Voids</source>
        <translation>Annulations</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>Net</translation>
    </message>
    <message>
        <source>Card brand</source>
        <translation>Réseau</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Opérateur</translation>
    </message>
    <message>
        <source>Desk</source>
        <translation>Poste</translation>
    </message>
    <message>
        <source>Totals</source>
        <translation>Totaux</translation>
    </message>
    <message>
        <source>By card brand</source>
        <translation>Par réseau</translation>
    </message>
    <message>
        <source>By operator</source>
        <translation>Par opérateur</translation>
    </message>
    <message>
        <source>By desk</source>
        <translation>Par poste</translation>
    </message>
    <message>
        <source>What needs attention</source>
        <translation>Points à vérifier</translation>
    </message>
    <message>
        <source>Order number</source>
        <translation>N° de commande</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Détail</translation>
    </message>
    <message>
        <source>IOTPay order ID</source>
        <translation>N° de commande IOTPay</translation>
    </message>
    <message>
        <source>Double-click an order (or press Enter) to open it on the Orders page.</source>
        <translation>Double-cliquez sur une commande (ou appuyez sur Entrée) pour l’ouvrir dans la page Commandes.</translation>
    </message>
    <message>
        <source>%1 days</source>
        <translation>%1 jours</translation>
    </message>
    <message>
        <source>Sho&amp;w:</source>
        <translation>A&amp;fficher :</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Journée</translation>
    </message>
    <message>
        <source>Chart&amp;s</source>
        <translation>&amp;Graphiques</translation>
    </message>
    <message>
        <source>&amp;Bank deposits</source>
        <translation>&amp;Dépôts bancaires</translation>
    </message>
    <message>
        <source>End of day</source>
        <translation>Fin de journée</translation>
    </message>
    <message>
        <source>%1, from %2 to %3
%4</source>
        <translation>%1, de %2 à %3
%4</translation>
    </message>
    <message>
        <source>The day could not be read: %1</source>
        <translation>La journée n’a pas pu être lue : %1</translation>
    </message>
    <message>
        <source>The chart could not be read: %1</source>
        <translation>Le graphique n’a pas pu être lu : %1</translation>
    </message>
    <message>
        <source>No profile is open.</source>
        <translation>Aucun profil n’est ouvert.</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>Lecture…</translation>
    </message>
    <message>
        <source>Net: %1 — sales %2, refunds %3, voids %4. Failed payments: %5</source>
        <translation>Net : %1 — ventes %2, remboursements %3, annulations %4. Paiements échoués : %5</translation>
    </message>
    <message>
        <source>Sales: %1</source>
        <translation>Ventes : %1</translation>
    </message>
    <message>
        <source>Refunds: %1</source>
        <translation>Remboursements : %1</translation>
    </message>
    <message>
        <source>Voids: %1</source>
        <translation>Annulations : %1</translation>
    </message>
    <message>
        <source>Needs &amp;attention (%1)</source>
        <translation>À &amp;vérifier (%1)</translation>
    </message>
    <message>
        <source>Not closed yet.</source>
        <translation>Pas encore clôturée.</translation>
    </message>
    <message>
        <source>Closed by %1 at %2 on desk %3.</source>
        <translation>Clôturée par %1 à %2 au poste %3.</translation>
    </message>
    <message>
        <source>Changed after it was closed. Orders not as they were when the day was closed: %1. The close-out report lists them all.</source>
        <translation>Modifiée après sa clôture. Commandes qui ne sont plus telles qu’à la clôture de la journée : %1. Le rapport de clôture les énumère toutes.</translation>
    </message>
    <message>
        <source>• %1 %2 — %3: %4 → %5</source>
        <translation>• %1 %2 — %3 : %4 → %5</translation>
    </message>
    <message>
        <source>…and %1 more.</source>
        <translation>…et %1 de plus.</translation>
    </message>
    <message>
        <source>This day is closed.</source>
        <translation>Cette journée est clôturée.</translation>
    </message>
    <message>
        <source>Keep the day&apos;s figures as they are now and save its report</source>
        <translation>Figer les chiffres de la journée tels qu’ils sont maintenant et enregistrer son rapport</translation>
    </message>
    <message>
        <source>Close the day</source>
        <translation>Clôturer la journée</translation>
    </message>
    <message>
        <source>Close the business day of %1?</source>
        <translation>Clôturer la journée du %1 ?</translation>
    </message>
    <message>
        <source>Net: %1</source>
        <translation>Net : %1</translation>
    </message>
    <message>
        <source>Still needing attention: %1</source>
        <translation>Encore à vérifier : %1</translation>
    </message>
    <message>
        <source>This business day is not over: it ends at %1. Orders made until then will be flagged as changes after the close.</source>
        <translation>Cette journée n’est pas terminée : elle se termine à %1. Les commandes faites d’ici là seront signalées comme des modifications après la clôture.</translation>
    </message>
    <message>
        <source>Its figures are kept as they are now and cannot be closed again; any later change to its orders is flagged on this page and in its report.</source>
        <translation>Ses chiffres sont conservés tels qu’ils sont maintenant et elle ne pourra plus être clôturée ; toute modification ultérieure de ses commandes sera signalée sur cette page et dans son rapport.</translation>
    </message>
    <message>
        <source>&amp;Close the day</source>
        <translation>&amp;Clôturer la journée</translation>
    </message>
    <message>
        <source>Closing the day…</source>
        <translation>Clôture de la journée…</translation>
    </message>
    <message>
        <source>This day was already closed by %1 on desk %2.</source>
        <translation>Cette journée a déjà été clôturée par %1 au poste %2.</translation>
    </message>
    <message>
        <source>The day is closed. Save its close-out report now.</source>
        <translation>La journée est clôturée. Enregistrez maintenant son rapport de clôture.</translation>
    </message>
    <message>
        <source>The day is closed — save its close-out report</source>
        <translation>La journée est clôturée — enregistrez son rapport de clôture</translation>
    </message>
    <message>
        <source>Save the close-out report</source>
        <translation>Enregistrer le rapport de clôture</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>Documents PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Saving the close-out report…</source>
        <translation>Enregistrement du rapport de clôture…</translation>
    </message>
    <message>
        <source>The close-out report was saved as %1.</source>
        <translation>Le rapport de clôture a été enregistré sous %1.</translation>
    </message>
    <message>
        <source>Sales by card brand</source>
        <translation>Ventes par réseau</translation>
    </message>
    <message>
        <source>Daily net, the last %1 days</source>
        <translation>Net par journée, les %1 derniers jours</translation>
    </message>
    <message>
        <source>Close-out of %1</source>
        <translation>Clôture du %1</translation>
    </message>
    <message>
        <source>Close-out of %1 — page %2 of %3</source>
        <translation>Clôture du %1 — page %2 de %3</translation>
    </message>
</context>
<context>
    <name>EnvironmentBadge</name>
    <message>
        <source>No profile</source>
        <translation>Aucun profil</translation>
    </message>
    <message>
        <source>Create a merchant profile in Settings to start.</source>
        <translation>Créez un profil marchand dans les Paramètres pour commencer.</translation>
    </message>
    <message>
        <source>PRODUCTION — real money</source>
        <translation>PRODUCTION — argent réel</translation>
    </message>
    <message>
        <source>IOTPay test</source>
        <translation>Test IOTPay</translation>
    </message>
    <message>
        <source>Sandbox</source>
        <translation>Bac à sable</translation>
    </message>
    <message>
        <source>Custom server</source>
        <translation>Serveur personnalisé</translation>
    </message>
    <message>
        <source>Refunds, voids and charges move real money on IOTPay&apos;s production host.</source>
        <translation>Les remboursements, annulations et paiements déplacent de l’argent réel sur le serveur de production d’IOTPay.</translation>
    </message>
    <message>
        <source>IOTPay&apos;s test host: no real money moves.</source>
        <translation>Serveur de test d’IOTPay : aucun argent réel n’est déplacé.</translation>
    </message>
    <message>
        <source>The local sandbox on this computer: no real money moves.</source>
        <translation>Le bac à sable local de cet ordinateur : aucun argent réel n’est déplacé.</translation>
    </message>
    <message>
        <source>A custom server: %1</source>
        <translation>Un serveur personnalisé : %1</translation>
    </message>
</context>
<context>
    <name>ErrorReporter</name>
    <message>
        <source>Errors since then: %1 more. See the log file.</source>
        <translation>Erreurs depuis : %1 de plus. Consultez le fichier journal.</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>The shared ledger at %1 cannot be reached.</source>
        <translation>Le registre partagé sur %1 est injoignable.</translation>
    </message>
    <message>
        <source>The ledger file %1 cannot be reached.</source>
        <translation>Le fichier du registre %1 est inaccessible.</translation>
    </message>
    <message>
        <source>The ledger cannot be reached.</source>
        <translation>Le registre est injoignable.</translation>
    </message>
    <message>
        <source>%1 %2 was sent to IOTPay, but the ledger could not be reached to record IOTPay&apos;s answer. Do not send it again: it stays “checking” and is confirmed with IOTPay and recorded when the ledger is back. Nothing is lost.</source>
        <translation>%1 %2 : envoi fait à IOTPay, mais le registre était injoignable pour y inscrire la réponse d&apos;IOTPay. Ne le renvoyez pas : l&apos;opération reste « en vérification », puis elle est confirmée auprès d&apos;IOTPay et inscrite au retour du registre. Rien n&apos;est perdu.</translation>
    </message>
    <message>
        <source>Nothing was sent: refunds, voids and charges wait until it is back. Look-ups still work.</source>
        <translation>Rien n&apos;a été envoyé : remboursements, annulations et débits attendent son retour. Les recherches fonctionnent toujours.</translation>
    </message>
    <message>
        <source>Started at %1 by %2.</source>
        <translation>Lancé au poste %1 par %2.</translation>
    </message>
    <message>
        <source>Started by %1.</source>
        <translation>Lancé par %1.</translation>
    </message>
    <message>
        <source>Nothing was sent.</source>
        <translation>Rien n’a été envoyé.</translation>
    </message>
    <message>
        <source>Checking with IOTPay… IOTPay did not answer in time, so the request may have gone through. Do not repeat it: the desk confirms the outcome with IOTPay.</source>
        <translation>Vérification auprès d’IOTPay… IOTPay n’a pas répondu à temps : la demande a peut-être abouti. Ne la refaites pas : le poste confirme le résultat auprès d’IOTPay.</translation>
    </message>
    <message>
        <source>%1: %2. Correct it and try again.</source>
        <translation>%1 : %2. Corrigez-le et réessayez.</translation>
    </message>
    <message>
        <source>IOTPay has no such order or card (“%1”). Check the number and try again.</source>
        <translation>IOTPay ne connaît pas cette commande ou cette carte (« %1 »). Vérifiez le numéro et réessayez.</translation>
    </message>
    <message>
        <source>IOTPay refused the request: “%1”. Check the details and try again; if it keeps happening, contact IOTPay support.</source>
        <translation>IOTPay a refusé la demande : « %1 ». Vérifiez les détails et réessayez ; si cela se reproduit, contactez l’assistance d’IOTPay.</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>aucune raison indiquée</translation>
    </message>
    <message>
        <source>%1: %2. Nothing was sent.</source>
        <translation>%1 : %2. Rien n’a été envoyé.</translation>
    </message>
    <message>
        <source>IOTPay has no order “%1”. Check the order number or IOTPay order ID and try again.</source>
        <translation>IOTPay n’a aucune commande « %1 ». Vérifiez le numéro de commande ou l’identifiant de commande IOTPay et réessayez.</translation>
    </message>
    <message>
        <source>A void of this payment is still being checked with IOTPay. Wait for its outcome in Activity before starting another refund or void.</source>
        <translation>Une annulation de ce paiement est encore en cours de vérification auprès d’IOTPay. Attendez son résultat dans Activité avant de lancer un autre remboursement ou une autre annulation.</translation>
    </message>
    <message>
        <source>A refund of this payment is still being checked with IOTPay. Wait for its outcome in Activity before starting another refund or void.</source>
        <translation>Un remboursement de ce paiement est encore en cours de vérification auprès d’IOTPay. Attendez son résultat dans Activité avant de lancer un autre remboursement ou une autre annulation.</translation>
    </message>
    <message>
        <source>This payment was refunded or voided after this form was opened. Nothing was sent. Look the payment up again to see what is left.</source>
        <translation>Ce paiement a été remboursé ou annulé après l’ouverture de ce formulaire. Rien n’a été envoyé. Recherchez de nouveau le paiement pour voir ce qu’il en reste.</translation>
    </message>
    <message>
        <source>This form is out of date. Nothing was sent. Close it and start again.</source>
        <translation>Ce formulaire n’est plus à jour. Rien n’a été envoyé. Fermez-le et recommencez.</translation>
    </message>
    <message>
        <source>%1 could not be read, so the desk starts without it. The file was kept as %2 so nothing is lost; merchant keys stay in the system keychain.</source>
        <translation>%1 n’a pas pu être lu : le poste démarre sans lui. Le fichier a été conservé sous le nom %2, rien n’est perdu ; les clés marchand restent dans le trousseau du système.</translation>
    </message>
    <message>
        <source>The profile cannot be saved: %1.</source>
        <translation>Le profil ne peut pas être enregistré : %1.</translation>
    </message>
    <message>
        <source>That merchant profile no longer exists. Choose another one.</source>
        <translation>Ce profil marchand n’existe plus. Choisissez-en un autre.</translation>
    </message>
    <message>
        <source>The merchant profiles were saved by a newer version of the desk. Update the desk to use them; they were not changed.</source>
        <translation>Les profils marchands ont été enregistrés par une version plus récente du poste. Mettez le poste à jour pour les utiliser ; ils n’ont pas été modifiés.</translation>
    </message>
    <message>
        <source>This profile&apos;s journal was written by a newer version of the desk. Update the desk to use it; the journal was not changed.</source>
        <translation>Le journal de ce profil a été écrit par une version plus récente du poste. Mettez le poste à jour pour l’utiliser ; le journal n’a pas été modifié.</translation>
    </message>
    <message>
        <source>IOTPay did not add the card: “%1”. Nothing was saved; start again.</source>
        <translation>IOTPay n’a pas ajouté la carte : « %1 ». Rien n’a été enregistré ; recommencez.</translation>
    </message>
    <message>
        <source>IOTPay has no card bound to card ID %1. Add the card again, or remove it from the vault.</source>
        <translation>IOTPay n’a aucune carte liée à l’identifiant de carte %1. Ajoutez de nouveau la carte, ou retirez-la du coffre.</translation>
    </message>
    <message>
        <source>Card ID %1 is not in the card vault. Refresh the list and try again.</source>
        <translation>L’identifiant de carte %1 n’est pas dans le coffre de cartes. Actualisez la liste et réessayez.</translation>
    </message>
    <message>
        <source>Direct card entry is off for this profile. Add the card on IOTPay&apos;s page instead.</source>
        <translation>La saisie directe de carte est désactivée pour ce profil. Ajoutez plutôt la carte sur la page d’IOTPay.</translation>
    </message>
    <message>
        <source>This desk has no record of order %1. Look it up on the Orders page.</source>
        <translation>Ce poste n’a aucune trace de la commande %1. Recherchez-la dans la page Commandes.</translation>
    </message>
    <message>
        <source>Could not reach IOTPay. Check the internet connection and try again.</source>
        <translation>Impossible de joindre IOTPay. Vérifiez la connexion Internet et réessayez.</translation>
    </message>
    <message>
        <source>Something unexpected went wrong. It has been written to the log. Try again; if it happens again, send the log file to your support contact.</source>
        <translation>Une erreur inattendue s’est produite. Elle a été consignée dans le journal. Réessayez ; si elle se reproduit, envoyez le fichier journal à votre contact d’assistance.</translation>
    </message>
    <message>
        <source>IOTPay Desk</source>
        <translation>Poste IOTPay</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export transactions</source>
        <extracomment>Writes ``request``: the rows written, or None when ``cancelled()`` stopped it; calls ``progress(rows)`` from its worker thread.</extracomment>
        <translation>Exporter les opérations</translation>
    </message>
    <message>
        <source>Every order the filter shows is exported, not only the rows read into the table so far.</source>
        <translation>Toutes les commandes que le filtre affiche sont exportées, pas seulement les lignes lues jusqu’ici dans le tableau.</translation>
    </message>
    <message>
        <source>CSV (for Excel and other programs)</source>
        <translation>CSV (pour Excel et d’autres logiciels)</translation>
    </message>
    <message>
        <source>Excel workbook (XLSX)</source>
        <translation>Classeur Excel (XLSX)</translation>
    </message>
    <message>
        <source>comma</source>
        <translation>virgule</translation>
    </message>
    <message>
        <source>semicolon</source>
        <translation>point-virgule</translation>
    </message>
    <message>
        <source>The language&apos;s (%1)</source>
        <translation>Celui de la langue (%1)</translation>
    </message>
    <message>
        <source>Comma</source>
        <translation>Virgule</translation>
    </message>
    <message>
        <source>Semicolon</source>
        <translation>Point-virgule</translation>
    </message>
    <message>
        <source>Tab</source>
        <translation>Tabulation</translation>
    </message>
    <message>
        <source>UTF-8 with a byte-order mark (Excel reads accents right)</source>
        <translation>UTF-8 avec marque d’ordre d’octets (Excel lit bien les accents)</translation>
    </message>
    <message>
        <source>Move &amp;up</source>
        <translation>&amp;Monter</translation>
    </message>
    <message>
        <source>Move do&amp;wn</source>
        <translation>&amp;Descendre</translation>
    </message>
    <message>
        <source>&amp;Choose…</source>
        <translation>&amp;Choisir…</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Exporter</translation>
    </message>
    <message>
        <source>&amp;Format:</source>
        <translation>&amp;Format :</translation>
    </message>
    <message>
        <source>&amp;Separator:</source>
        <translation>&amp;Séparateur :</translation>
    </message>
    <message>
        <source>F&amp;ile:</source>
        <translation>F&amp;ichier :</translation>
    </message>
    <message>
        <source>Fie&amp;lds (check to include; drag or move to reorder):</source>
        <translation>C&amp;hamps (cochez pour inclure ; glissez ou déplacez pour réordonner) :</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Classeur Excel (*.xlsx)</translation>
    </message>
    <message>
        <source>CSV file (*.csv)</source>
        <translation>Fichier CSV (*.csv)</translation>
    </message>
    <message>
        <source>Export to</source>
        <translation>Exporter vers</translation>
    </message>
    <message>
        <source>Fields: check at least one.</source>
        <translation>Champs : cochez-en au moins un.</translation>
    </message>
    <message>
        <source>File: choose where the export goes.</source>
        <translation>Fichier : choisissez où enregistrer l’exportation.</translation>
    </message>
    <message>
        <source>File: %1 is a folder; add a file name.</source>
        <translation>Fichier : %1 est un dossier ; ajoutez un nom de fichier.</translation>
    </message>
    <message>
        <source>File: the folder %1 does not exist.</source>
        <translation>Fichier : le dossier %1 n’existe pas.</translation>
    </message>
    <message>
        <source>Starting the export…</source>
        <translation>Démarrage de l’exportation…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Annulation…</translation>
    </message>
    <message>
        <source>%1 could not be written: %2</source>
        <translation>%1 n’a pas pu être écrit : %2</translation>
    </message>
    <message>
        <source>The export failed: %1</source>
        <translation>L’exportation a échoué : %1</translation>
    </message>
    <message>
        <source>Rows written: %1</source>
        <translation>Lignes écrites : %1</translation>
    </message>
    <message>
        <source>Rows written: %1 of %2</source>
        <translation>Lignes écrites : %1 sur %2</translation>
    </message>
    <message>
        <source>%1 rows/s</source>
        <translation>%1 lignes/s</translation>
    </message>
    <message>
        <source>about %1 s left</source>
        <translation>environ %1 s restantes</translation>
    </message>
    <message>
        <source>Cancelled: no file was written; %1 is as it was.</source>
        <translation>Annulé : aucun fichier n’a été écrit ; %1 est inchangé.</translation>
    </message>
    <message>
        <source>Cancelled: no file was written.</source>
        <translation>Annulé : aucun fichier n’a été écrit.</translation>
    </message>
    <message>
        <source>Exported %1 orders to %2 in %3 s.</source>
        <translation>%1 commandes exportées vers %2 en %3 s.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
</context>
<context>
    <name>Field</name>
    <message>
        <source>Merchant ID</source>
        <translation>Identifiant marchand</translation>
    </message>
    <message>
        <source>Order number</source>
        <translation>Numéro de commande</translation>
    </message>
    <message>
        <source>Customer ID</source>
        <translation>Identifiant client</translation>
    </message>
    <message>
        <source>Card ID</source>
        <translation>Identifiant de carte</translation>
    </message>
    <message>
        <source>Refund number</source>
        <translation>Numéro de remboursement</translation>
    </message>
    <message>
        <source>IOTPay order ID</source>
        <translation>Identifiant de commande IOTPay</translation>
    </message>
    <message>
        <source>Operator login</source>
        <translation>Identifiant de l’opérateur</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Notification address</source>
        <translation>Adresse de notification</translation>
    </message>
    <message>
        <source>Return address</source>
        <translation>Adresse de retour</translation>
    </message>
    <message>
        <source>Customer IP address</source>
        <translation>Adresse IP du client</translation>
    </message>
    <message>
        <source>Currency</source>
        <translation>Devise</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Refund amount</source>
        <translation>Montant du remboursement</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Canal</translation>
    </message>
    <message>
        <source>Card number</source>
        <translation>Numéro de carte</translation>
    </message>
    <message>
        <source>Expiry date</source>
        <translation>Date d’expiration</translation>
    </message>
    <message>
        <source>Cardholder name</source>
        <translation>Nom du titulaire</translation>
    </message>
    <message>
        <source>Security code (CVV)</source>
        <translation>Code de sécurité (CVV)</translation>
    </message>
    <message>
        <source>Wallet type</source>
        <translation>Type de portefeuille</translation>
    </message>
    <message>
        <source>Wallet data</source>
        <translation>Données du portefeuille</translation>
    </message>
    <message>
        <source>Order number or IOTPay order ID</source>
        <translation>Numéro de commande ou identifiant de commande IOTPay</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Opérateur</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Opération</translation>
    </message>
</context>
<context>
    <name>HelpDialog</name>
    <message>
        <source>approved</source>
        <translation>approuvée</translation>
    </message>
    <message>
        <source>declined (status 9)</source>
        <translation>refusée (état 9)</translation>
    </message>
    <message>
        <source>pending: status 0, then 2 (success) after %1 seconds</source>
        <translation>en attente : état 0, puis 2 (réussite) après %1 secondes</translation>
    </message>
    <message>
        <source>any of the above with a past expiry</source>
        <translation>l’une des cartes ci-dessus avec une date d’expiration passée</translation>
    </message>
    <message>
        <source>refused: “card expired”</source>
        <translation>refusée : « card expired » (carte expirée)</translation>
    </message>
    <message>
        <source>Card number</source>
        <translation>Numéro de carte</translation>
    </message>
    <message>
        <source>Brand</source>
        <translation>Réseau</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>(a published test value, not a secret)</source>
        <translation>(une valeur de test publiée, pas un secret)</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Clé</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Sandbox test cards</source>
        <translation>Cartes de test du bac à sable</translation>
    </message>
    <message>
        <source>The sandbox demo merchant</source>
        <translation>Le marchand de démonstration du bac à sable</translation>
    </message>
    <message>
        <source>These cards work only on the sandbox: no real money moves. Any holder name, any 3-digit CVV, any future expiry date (MMYY).</source>
        <translation>Ces cartes ne fonctionnent que dans le bac à sable : aucun argent réel n’est déplacé. N’importe quel nom de titulaire, n’importe quel CVV à 3 chiffres, n’importe quelle date d’expiration future (MMAA).</translation>
    </message>
</context>
<context>
    <name>HostedPageDialog</name>
    <message>
        <source>IOTPay secure page</source>
        <extracomment>A hosted page that has not finished loading after this long is reported with a retry. How long the card pages&apos; engine stays ready after the last page closed (the setting&apos;s default); 0 keeps it until the desk quits. The URL of the page kept ready for the next card page (nothing is fetched). Run on each loaded card page: the caret goes to the card number (IOTPay&apos;s field, or the page&apos;s card-number input by its autocomplete hint), so the cashier types at once.</extracomment>
        <translation>Page sécurisée d’IOTPay</translation>
    </message>
    <message>
        <source>The card details are typed on IOTPay&apos;s page; the desk never sees them.</source>
        <translation>Les données de carte sont saisies sur la page d’IOTPay ; le poste ne les voit jamais.</translation>
    </message>
    <message>
        <source>Page of %1</source>
        <translation>Page de %1</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Réessayer</translation>
    </message>
    <message>
        <source>Checking the page&apos;s answer with IOTPay…</source>
        <translation>Vérification auprès d’IOTPay de la réponse de la page…</translation>
    </message>
    <message>
        <source>IOTPay could not show the page (error %1: %2).</source>
        <translation>IOTPay n’a pas pu afficher la page (erreur %1 : %2).</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>aucune raison indiquée</translation>
    </message>
    <message>
        <source>The page could not be loaded. Check the internet connection, then retry.</source>
        <translation>La page n’a pas pu être chargée. Vérifiez la connexion Internet, puis réessayez.</translation>
    </message>
    <message>
        <source>The page did not load within %1 s. Check the connection, then retry.</source>
        <translation>La page ne s’est pas chargée en %1 s. Vérifiez la connexion, puis réessayez.</translation>
    </message>
    <message>
        <source>The page stopped working. Retry to open it again.</source>
        <translation>La page a cessé de fonctionner. Réessayez pour l’ouvrir de nouveau.</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>Import orders</source>
        <translation>Importer des commandes</translation>
    </message>
    <message>
        <source>A CSV file of order numbers or IOTPay order IDs (for example exported from IOTPay&apos;s merchant portal): each order is looked up at IOTPay and put in the books. An order already in the books is updated, never added twice.</source>
        <translation>Un fichier CSV de numéros de commande ou d’identifiants de commande IOTPay (par exemple exporté du portail marchand d’IOTPay) : chaque commande est recherchée chez IOTPay et inscrite dans les livres. Une commande déjà dans les livres est mise à jour, jamais ajoutée deux fois.</translation>
    </message>
    <message>
        <source>&amp;Resume it</source>
        <translation>&amp;Reprendre</translation>
    </message>
    <message>
        <source>&amp;Give it up</source>
        <translation>&amp;Abandonner</translation>
    </message>
    <message>
        <source>the file&apos;s path</source>
        <translation>le chemin du fichier</translation>
    </message>
    <message>
        <source>C&amp;hoose a file…</source>
        <translation>C&amp;hoisir un fichier…</translation>
    </message>
    <message>
        <source>&amp;File:</source>
        <translation>&amp;Fichier :</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Ligne</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Texte</translation>
    </message>
    <message>
        <source>Why it is left out</source>
        <translation>Motif de l’exclusion</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Commande</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>&amp;Démarrer</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>&amp;Arrêter</translation>
    </message>
    <message>
        <source>An import of “%1” stopped before its end: %2 of %3 orders done.</source>
        <translation>Une importation de « %1 » s’est arrêtée avant la fin : %2 commandes traitées sur %3.</translation>
    </message>
    <message>
        <source>Choose a list of orders</source>
        <translation>Choisir une liste de commandes</translation>
    </message>
    <message>
        <source>CSV files (*.csv *.txt)</source>
        <translation>Fichiers CSV (*.csv *.txt)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>%1: %2 orders to import.</source>
        <translation>%1 : %2 commandes à importer.</translation>
    </message>
    <message>
        <source>%1 lines are left out (below).</source>
        <translation>%1 lignes sont exclues (ci-dessous).</translation>
    </message>
    <message>
        <source>Stopped. The orders done so far are in the books; open Import orders again to resume.</source>
        <translation>Arrêté. Les commandes déjà traitées sont dans les livres ; rouvrez Importer des commandes pour reprendre.</translation>
    </message>
    <message>
        <source>Finished. Booked: %1 · Not found at IOTPay: %2 · Left out (bad lines): %3 · Could not reach IOTPay: %4</source>
        <translation>Terminé. Inscrites aux livres : %1 · Introuvables chez IOTPay : %2 · Exclues (lignes invalides) : %3 · IOTPay injoignable : %4</translation>
    </message>
    <message>
        <source>The orders IOTPay could not be asked about are kept: open Import orders again later to resume.</source>
        <translation>Les commandes qui n’ont pas pu être vérifiées auprès d’IOTPay sont conservées : rouvrez Importer des commandes plus tard pour reprendre.</translation>
    </message>
    <message>
        <source>IOTPay has no such order</source>
        <translation>IOTPay n’a aucune commande de ce numéro</translation>
    </message>
    <message>
        <source>IOTPay could not be reached (tried again on resume)</source>
        <translation>IOTPay injoignable (nouvel essai à la reprise)</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Arrêt…</translation>
    </message>
</context>
<context>
    <name>JobProgressDialog</name>
    <message>
        <source>Stopped. What was checked is kept; run it again to go on.</source>
        <translation>Arrêté. Ce qui a été vérifié est conservé ; relancez l’opération pour continuer.</translation>
    </message>
    <message>
        <source>Finished.</source>
        <translation>Terminé.</translation>
    </message>
    <message>
        <source>Finished, but IOTPay could not be reached for %1 orders: run it again later to check them.</source>
        <translation>Terminé, mais IOTPay était injoignable pour %1 commandes : relancez l’opération plus tard pour les vérifier.</translation>
    </message>
</context>
<context>
    <name>JobProgressWidget</name>
    <message>
        <source>Done: %1 of %2</source>
        <translation>Effectué : %1 sur %2</translation>
    </message>
    <message>
        <source>%1 per second</source>
        <translation>%1 par seconde</translation>
    </message>
    <message>
        <source>about %1 left</source>
        <translation>environ %1 restant</translation>
    </message>
</context>
<context>
    <name>KeychainBanner</name>
    <message>
        <source>Re&amp;try</source>
        <translation>Réessa&amp;yer</translation>
    </message>
    <message>
        <source>Keychain locked</source>
        <translation>Trousseau verrouillé</translation>
    </message>
    <message>
        <source>Keychain prompt cancelled</source>
        <translation>Demande du trousseau annulée</translation>
    </message>
    <message>
        <source>No keychain</source>
        <translation>Aucun trousseau</translation>
    </message>
    <message>
        <source>The system keychain cannot be used, so the desk cannot read your merchant key.</source>
        <translation>Le trousseau du système est inutilisable : le poste ne peut pas lire votre clé marchand.</translation>
    </message>
    <message>
        <source>The sandbox works: this session uses the demo merchant&apos;s published key, held in memory only. Merchant keys cannot be saved until the keychain can be used.</source>
        <translation>Le bac à sable fonctionne : cette session utilise la clé publiée du marchand de démonstration, gardée en mémoire seulement. Aucune clé marchand ne peut être enregistrée tant que le trousseau est inutilisable.</translation>
    </message>
    <message>
        <source>Until then the desk cannot talk to IOTPay for this profile.</source>
        <translation>D’ici là, le poste ne peut pas communiquer avec IOTPay pour ce profil.</translation>
    </message>
</context>
<context>
    <name>LedgerBanner</name>
    <message>
        <source>Ledger unavailable</source>
        <translation>Registre indisponible</translation>
    </message>
    <message>
        <source>Tr&amp;y again</source>
        <translation>Réessa&amp;yer</translation>
    </message>
    <message>
        <source>Refunds, voids and charges are off until it is back: nothing is sent without its record. Look-ups still work.</source>
        <translation>Remboursements, annulations et débits sont désactivés jusqu&apos;à son retour : rien n&apos;est envoyé sans être inscrit au registre. Les recherches fonctionnent toujours.</translation>
    </message>
    <message>
        <source>Since %2, the shared ledger at %1 cannot be reached.</source>
        <translation>Depuis %2, le registre partagé sur %1 est injoignable.</translation>
    </message>
    <message>
        <source>Since %2, the ledger file %1 cannot be reached.</source>
        <translation>Depuis %2, le fichier du registre %1 est inaccessible.</translation>
    </message>
    <message>
        <source>The desk tries again by itself.</source>
        <translation>Le poste réessaie de lui-même.</translation>
    </message>
</context>
<context>
    <name>LedgerConnect</name>
    <message>
        <source>The ledger server&apos;s settings are not complete: check its host, port, database and user.</source>
        <translation>Les réglages du serveur du registre sont incomplets : vérifiez l’hôte, le port, la base de données et l’utilisateur.</translation>
    </message>
    <message>
        <source>The ledger address is not a PostgreSQL (postgresql://) address.</source>
        <translation>L’adresse du registre n’est pas une adresse PostgreSQL (postgresql://).</translation>
    </message>
    <message>
        <source>The host “%1” was not found. Check its name, or type its IP address instead.</source>
        <translation>L’hôte « %1 » est introuvable. Vérifiez son nom ou saisissez plutôt son adresse IP.</translation>
    </message>
    <message>
        <source>%1 cannot be reached from this computer. Check the network (cable, Wi-Fi, VPN) and the host name.</source>
        <translation>%1 est injoignable depuis cet ordinateur. Vérifiez le réseau (câble, Wi-Fi, RPV) et le nom de l’hôte.</translation>
    </message>
    <message>
        <source>%1 refused the connection on port %2: no PostgreSQL server is listening there. Check the port, and that the server runs and accepts connections from this computer.</source>
        <translation>%1 a refusé la connexion sur le port %2 : aucun serveur PostgreSQL n’y écoute. Vérifiez le port, et que le serveur fonctionne et accepte les connexions de cet ordinateur.</translation>
    </message>
    <message>
        <source>%1 did not answer on port %2 in time. Check the host and the port, and that no firewall blocks them.</source>
        <translation>%1 n’a pas répondu à temps sur le port %2. Vérifiez l’hôte et le port, et qu’aucun pare-feu ne les bloque.</translation>
    </message>
    <message>
        <source>Something answers on %1 port %2, but it is not a PostgreSQL server. Check the port (PostgreSQL usually uses 5432).</source>
        <translation>Un service répond sur %1, port %2, mais ce n’est pas un serveur PostgreSQL. Vérifiez le port (PostgreSQL utilise d’habitude 5432).</translation>
    </message>
    <message>
        <source>The encrypted connection (TLS) to %1 failed: the server offers no TLS, or its certificate could not be checked. For “verify-full”, this computer needs the server&apos;s CA certificate in ~/.postgresql/root.crt.</source>
        <translation>La connexion chiffrée (TLS) à %1 a échoué : le serveur n’offre pas TLS, ou son certificat n’a pas pu être vérifié. Pour « verify-full », cet ordinateur a besoin du certificat de l’autorité (CA) du serveur dans ~/.postgresql/root.crt.</translation>
    </message>
    <message>
        <source>The server refused user “%4”: the password is wrong or there is no such user (PostgreSQL does not say which). Check both.</source>
        <translation>Le serveur a refusé l’utilisateur « %4 » : le mot de passe est erroné ou cet utilisateur n’existe pas (PostgreSQL ne dit pas lequel). Vérifiez les deux.</translation>
    </message>
    <message>
        <source>There is no database “%3” on %1. Check its name, or ask the server&apos;s administrator to create it.</source>
        <translation>Il n’y a pas de base de données « %3 » sur %1. Vérifiez son nom, ou demandez à l’administrateur du serveur de la créer.</translation>
    </message>
    <message>
        <source>%1 runs PostgreSQL %5, too old for the ledger: it needs PostgreSQL 13 or newer.</source>
        <translation>%1 utilise PostgreSQL %5, trop ancien pour le registre : il faut PostgreSQL 13 ou plus récent.</translation>
    </message>
    <message>
        <source>User “%4” may not write the ledger in database “%3” (a read-only user, or a standby server). The ledger needs a user that may create and change its tables.</source>
        <translation>L’utilisateur « %4 » ne peut pas écrire le registre dans la base « %3 » (utilisateur en lecture seule, ou serveur de secours). Le registre a besoin d’un utilisateur qui peut créer et modifier ses tables.</translation>
    </message>
    <message>
        <source>Could not open the ledger on %1 (%6). Check the server&apos;s settings.</source>
        <translation>Impossible d’ouvrir le registre sur %1 (%6). Vérifiez les réglages du serveur.</translation>
    </message>
    <message>
        <source>This ledger holds the payments of another IOTPay environment (%1) than this profile&apos;s (%2), so the desk does not use it: test and real payments are never mixed. Choose the ledger of this environment in the profile; nothing was written.</source>
        <translation>Ce registre contient les paiements d&apos;un autre environnement IOTPay (%1) que celui du profil (%2), donc le poste ne l&apos;utilise pas : les paiements de test et les paiements réels ne sont jamais mêlés. Choisissez dans le profil le registre de cet environnement; rien n&apos;a été écrit.</translation>
    </message>
    <message>
        <source>This ledger was brought up to date by IOTPay Desk %1, newer than this desk (%2). Install version %1 or newer to use it; nothing was changed.</source>
        <translation>Ce registre a été mis à jour par IOTPay Desk %1, plus récent que ce poste (%2). Installez la version %1 ou une version plus récente pour l’utiliser ; rien n’a été modifié.</translation>
    </message>
    <message>
        <source>The ledger was written by a newer version of the desk. Update this desk to use it; nothing was changed.</source>
        <translation>Le registre a été écrit par une version plus récente du poste. Mettez ce poste à jour pour l’utiliser ; rien n’a été modifié.</translation>
    </message>
    <message>
        <source>This database holds other tables and no ledger (%1). Choose an empty database for the ledger; nothing was written to it.</source>
        <translation>Cette base contient d’autres tables et aucun registre (%1). Choisissez une base vide pour le registre ; rien n’y a été écrit.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>IOTPay Desk</source>
        <translation>Poste IOTPay</translation>
    </message>
    <message>
        <source>&amp;Orders</source>
        <translation>&amp;Commandes</translation>
    </message>
    <message>
        <source>&amp;Card vault</source>
        <translation>Co&amp;ffre de cartes</translation>
    </message>
    <message>
        <source>&amp;Activity</source>
        <translation>&amp;Activité</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Paramètres</translation>
    </message>
    <message>
        <source>Navigation</source>
        <translation>Navigation</translation>
    </message>
    <message>
        <source>PRODUCTION — refunds, voids and charges here move real money.</source>
        <translation>PRODUCTION — les remboursements, annulations et paiements faits ici déplacent de l’argent réel.</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <extracomment>Window size, position and maximised state, and the Transactions columns (order, widths, which are shown), beside the settings (``QSettings`` ini). Asks IOTPay something harmless; returns the state it found (never raises for a network problem: it answers ``UNREACHABLE``). The pages whose shortcut is a letter (the others: Ctrl and their number).</extracomment>
        <translation>Fi&amp;chier</translation>
    </message>
    <message>
        <source>&amp;Profiles…</source>
        <translation>&amp;Profils…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>Navi&amp;guer</translation>
    </message>
    <message>
        <source>&amp;Find an order</source>
        <translation>&amp;Rechercher une commande</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Aid&amp;e</translation>
    </message>
    <message>
        <source>&amp;Transactions</source>
        <translation>&amp;Transactions</translation>
    </message>
    <message>
        <source>&amp;End of day</source>
        <translation>Fin de &amp;journée</translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation>&amp;Guide d’utilisation</translation>
    </message>
    <message>
        <source>Sandbox &amp;test cards</source>
        <translation>Cartes de &amp;test du bac à sable</translation>
    </message>
    <message>
        <source>&amp;About IOTPay Desk</source>
        <translation>À &amp;propos du Poste IOTPay</translation>
    </message>
    <message>
        <source>Reconcile %1 with IOTPay</source>
        <translation>Rapprocher %1 avec IOTPay</translation>
    </message>
    <message>
        <source>No profile</source>
        <translation>Aucun profil</translation>
    </message>
    <message>
        <source>Create a merchant profile with File ▸ Profiles… to start.</source>
        <translation>Créez un profil marchand avec Fichier ▸ Profils… pour commencer.</translation>
    </message>
    <message>
        <source>Profile: %1</source>
        <translation>Profil : %1</translation>
    </message>
    <message>
        <source>%1 — PRODUCTION — %2</source>
        <translation>%1 — PRODUCTION — %2</translation>
    </message>
    <message>
        <source>A refund of %1 is still waiting for IOTPay&apos;s answer.</source>
        <translation>Un remboursement de %1 attend encore la réponse d’IOTPay.</translation>
    </message>
    <message>
        <source>A void of %1 is still waiting for IOTPay&apos;s answer.</source>
        <translation>Une annulation de %1 attend encore la réponse d’IOTPay.</translation>
    </message>
    <message>
        <source>A charge of %1 is still waiting for IOTPay&apos;s answer.</source>
        <translation>Un débit de %1 attend encore la réponse d’IOTPay.</translation>
    </message>
    <message>
        <source>A wallet payment of %1 is still waiting for IOTPay&apos;s answer.</source>
        <translation>Un paiement par portefeuille de %1 attend encore la réponse d’IOTPay.</translation>
    </message>
    <message>
        <source>A payment link for %1 is still waiting for the customer to pay.</source>
        <translation>Un lien de paiement de %1 attend encore le paiement du client.</translation>
    </message>
    <message>
        <source>…and %1 more.</source>
        <translation>…et %1 de plus.</translation>
    </message>
    <message>
        <source>Work with IOTPay is still in progress.</source>
        <translation>Un échange avec IOTPay est encore en cours.</translation>
    </message>
    <message>
        <source>Quit IOTPay Desk?</source>
        <translation>Quitter le Poste IOTPay ?</translation>
    </message>
    <message>
        <source>Quit anyway?</source>
        <translation>Quitter quand même ?</translation>
    </message>
    <message>
        <source>If you quit now, what is pending stays in the journal and the desk checks it with IOTPay at the next start. Nothing is sent twice.</source>
        <translation>Si vous quittez maintenant, ce qui est en attente reste dans le journal et le poste le vérifie auprès d’IOTPay au prochain démarrage. Rien n’est envoyé deux fois.</translation>
    </message>
    <message>
        <source>&amp;Keep working</source>
        <translation>&amp;Continuer à travailler</translation>
    </message>
    <message>
        <source>&amp;Quit anyway</source>
        <translation>&amp;Quitter quand même</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Checking the keychain…</source>
        <translation>Vérification du trousseau…</translation>
    </message>
    <message>
        <source>Checking the connection to IOTPay…</source>
        <translation>Vérification de la connexion à IOTPay…</translation>
    </message>
    <message>
        <source>IOTPay Desk — user guide</source>
        <translation>Poste IOTPay — guide d’utilisation</translation>
    </message>
    <message>
        <source>Sandbox test cards</source>
        <translation>Cartes de test du bac à sable</translation>
    </message>
</context>
<context>
    <name>OrdersPage</name>
    <message>
        <source>e.g. PC20240101215009579871439079 or 1234-A</source>
        <translation>p. ex. PC20240101215009579871439079 ou 1234-A</translation>
    </message>
    <message>
        <source>&amp;Order number or IOTPay order ID:</source>
        <translation>&amp;Numéro de commande ou identifiant IOTPay :</translation>
    </message>
    <message>
        <source>&amp;Look up</source>
        <translation>Rec&amp;hercher</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Paiement</translation>
    </message>
    <message>
        <source>IOTPay order ID</source>
        <translation>Identifiant IOTPay</translation>
    </message>
    <message>
        <source>Order number</source>
        <translation>Numéro de commande</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Left to refund</source>
        <translation>Reste à rembourser</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Payé le</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Carte</translation>
    </message>
    <message>
        <source>Notified</source>
        <translation>Notifié</translation>
    </message>
    <message>
        <source>&amp;Refund…</source>
        <translation>&amp;Rembourser…</translation>
    </message>
    <message>
        <source>&amp;Void…</source>
        <translation>Annuler le &amp;paiement…</translation>
    </message>
    <message>
        <source>Re&amp;ceipt…</source>
        <translation>Re&amp;çu…</translation>
    </message>
    <message>
        <source>Show, print or save the receipt of this order</source>
        <translation>Afficher, imprimer ou enregistrer le reçu de cette commande</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Opération</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Press Enter or double-click a row for its receipt</source>
        <translation>Appuyez sur Entrée ou double-cliquez sur une ligne pour son reçu</translation>
    </message>
    <message>
        <source>Refunds and voids made from this desk or another:</source>
        <translation>Remboursements et annulations faits depuis ce poste ou un autre :</translation>
    </message>
    <message>
        <source>Choose a merchant profile whose key is in the keychain to look up orders.</source>
        <translation>Choisissez un profil marchand dont la clé est dans le trousseau pour rechercher des commandes.</translation>
    </message>
    <message>
        <source>R&amp;ecent look-ups:</source>
        <translation>&amp;Dernières recherches :</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Commandes</translation>
    </message>
    <message>
        <source>Looking up the order with IOTPay…</source>
        <translation>Recherche de la commande auprès d’IOTPay…</translation>
    </message>
    <message>
        <source>Updating the payment from IOTPay…</source>
        <translation>Mise à jour du paiement auprès d’IOTPay…</translation>
    </message>
    <message>
        <source>Not known (the ledger cannot be read)</source>
        <translation>Inconnu (le registre ne peut pas être lu)</translation>
    </message>
    <message>
        <source>Refund or void</source>
        <translation>Remboursement ou annulation</translation>
    </message>
    <message>
        <source>The ledger could not be read: the refunds and voids made through the desks are not shown, so what is left to refund is not known.</source>
        <translation>Le registre n&apos;a pu être lu : les remboursements et annulations faits par les postes ne sont pas affichés, donc ce qui reste à rembourser est inconnu.</translation>
    </message>
    <message>
        <source>Looking up “%1”…</source>
        <translation>Recherche de « %1 »…</translation>
    </message>
    <message>
        <source>The payment below is %1, not the order in the field: press Enter to look that order up before acting on it.</source>
        <translation>Le paiement ci-dessous est %1, et non la commande inscrite dans le champ : appuyez sur Entrée pour rechercher cette commande avant d’agir.</translation>
    </message>
    <message>
        <source>The ledger cannot be reached: refunds and voids are off until it is back.</source>
        <translation>Le registre est injoignable : remboursements et annulations sont désactivés jusqu&apos;à son retour.</translation>
    </message>
    <message>
        <source>A void of %1 is being sent to IOTPay.</source>
        <translation>Une annulation de %1 est en cours d’envoi à IOTPay.</translation>
    </message>
    <message>
        <source>A void of %1 is being checked with IOTPay.</source>
        <translation>Une annulation de %1 est en cours de vérification auprès d’IOTPay.</translation>
    </message>
    <message>
        <source>A refund of %1 is being sent to IOTPay.</source>
        <translation>Un remboursement de %1 est en cours d’envoi à IOTPay.</translation>
    </message>
    <message>
        <source>A refund of %1 is being checked with IOTPay.</source>
        <translation>Un remboursement de %1 est en cours de vérification auprès d’IOTPay.</translation>
    </message>
    <message>
        <source>Refund and void stay off until IOTPay has answered; the Activity page shows where it stands.</source>
        <translation>Le remboursement et l’annulation restent indisponibles jusqu’à la réponse d’IOTPay ; la page Activité indique où en est la demande.</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>(IOTPay sent it %1 times)</source>
        <translation>(envoyée %1 fois par IOTPay)</translation>
    </message>
    <message>
        <source>This is a refund or a void; look up its payment to return money.</source>
        <translation>Ceci est un remboursement ou une annulation ; recherchez son paiement pour rendre de l’argent.</translation>
    </message>
    <message>
        <source>Not settled yet (settles at %1): a void cancels it in full, before then.</source>
        <translation>Pas encore réglé (règlement à %1) : une annulation l’annule en entier d’ici là.</translation>
    </message>
    <message>
        <source>Settled: refund all or part of what is left.</source>
        <translation>Réglé : remboursez tout ou partie de ce qui reste.</translation>
    </message>
    <message>
        <source>Nothing is left to refund on this payment.</source>
        <translation>Il ne reste rien à rembourser sur ce paiement.</translation>
    </message>
    <message>
        <source>This payment did not go through; there is nothing to return.</source>
        <translation>Ce paiement n’a pas abouti ; il n’y a rien à rendre.</translation>
    </message>
</context>
<context>
    <name>PciDialog</name>
    <message>
        <source>Turn on direct card entry</source>
        <translation>Activer la saisie directe des cartes</translation>
    </message>
    <message>
        <source>Direct card entry lets staff type a card number into this desk, which sends it to IOTPay (cc_directaddcard). Card numbers then pass through this computer, so the merchant of the profile “%1” is responsible for meeting PCI DSS here (secure computer and network, trained staff, no card numbers written down). Adding cards on IOTPay&apos;s hosted page keeps card numbers off this computer.

Turn it on only if the merchant takes that responsibility for card numbers typed into this desk.</source>
        <translation>La saisie directe permet au personnel de taper un numéro de carte dans ce poste, qui l’envoie à IOTPay (cc_directaddcard). Les numéros de carte passent alors par cet ordinateur : le commerçant du profil « %1 » est responsable de la conformité PCI DSS ici (ordinateur et réseau sécurisés, personnel formé, aucun numéro de carte noté). L’ajout de cartes sur la page hébergée d’IOTPay garde les numéros de carte hors de cet ordinateur.

Ne l’activez que si le commerçant assume cette responsabilité pour les numéros de carte saisis dans ce poste.</translation>
    </message>
    <message>
        <source>Confirmed &amp;by:</source>
        <translation>Confirmé &amp;par :</translation>
    </message>
    <message>
        <source>I &amp;confirm the merchant&apos;s PCI DSS responsibility</source>
        <translation>Je &amp;confirme la responsabilité PCI DSS du commerçant</translation>
    </message>
    <message>
        <source>Turn &amp;on</source>
        <translation>&amp;Activer</translation>
    </message>
</context>
<context>
    <name>ProfileRule</name>
    <message>
        <source>must be a loopback address (127.0.0.1 or localhost) for the sandbox</source>
        <translation>doit être une adresse locale (127.0.0.1 ou localhost) pour le bac à sable</translation>
    </message>
    <message>
        <source>must use https unless it is a loopback address (127.0.0.1 or localhost)</source>
        <translation>doit utiliser https, sauf pour une adresse locale (127.0.0.1 ou localhost)</translation>
    </message>
    <message>
        <source>must not have a query (?…) or a fragment (#…)</source>
        <translation>ne doit pas avoir de requête (?…) ni de fragment (#…)</translation>
    </message>
    <message>
        <source>must not contain spaces</source>
        <translation>ne doit pas contenir d’espaces</translation>
    </message>
    <message>
        <source>must list at least one login name</source>
        <translation>doit comprendre au moins un identifiant</translation>
    </message>
    <message>
        <source>is listed twice</source>
        <translation>figure deux fois</translation>
    </message>
    <message>
        <source>must be one of the operator login names</source>
        <translation>doit être l’un des identifiants des opérateurs</translation>
    </message>
    <message>
        <source>must be a time HH:MM (00:00 to 23:59)</source>
        <translation>doit être une heure HH:MM (00:00 à 23:59)</translation>
    </message>
    <message>
        <source>must be a known time zone such as America/Toronto</source>
        <translation>doit être un fuseau horaire connu, comme America/Toronto</translation>
    </message>
    <message>
        <source>must not be negative</source>
        <translation>ne doit pas être négatif</translation>
    </message>
    <message>
        <source>must be 9 digits, RT and 4 digits, such as 123456789RT0001</source>
        <translation>doit comporter 9 chiffres, RT et 4 chiffres, p. ex. 123456789RT0001</translation>
    </message>
    <message>
        <source>is already used by another profile</source>
        <translation>est déjà utilisé par un autre profil</translation>
    </message>
    <message>
        <source>is only used with a custom URL or the sandbox</source>
        <translation>ne sert qu’avec une URL personnalisée ou le bac à sable</translation>
    </message>
    <message>
        <source>must be at least 24 hours (IOTPay may confirm an action late)</source>
        <translation>doit être d’au moins 24 heures (IOTPay peut confirmer une action en retard)</translation>
    </message>
    <message>
        <source>must be at most 3 lines</source>
        <translation>doit tenir en 3 lignes au plus</translation>
    </message>
    <message>
        <source>must be at most 200 characters</source>
        <translation>doit comporter au plus 200 caractères</translation>
    </message>
</context>
<context>
    <name>ProfileWizard</name>
    <message>
        <source>%1: %2</source>
        <translation>%1 : %2</translation>
    </message>
    <message>
        <source>New merchant profile</source>
        <translation>Nouveau profil de commerçant</translation>
    </message>
    <message>
        <source>Edit profile %1</source>
        <translation>Modifier le profil %1</translation>
    </message>
    <message>
        <source>Try the &amp;sandbox</source>
        <translation>Essayer le &amp;bac à sable</translation>
    </message>
    <message>
        <source>Start the desk on a local sandbox with a demo merchant; no profile needed.</source>
        <translation>Ouvrir le poste sur un bac à sable local avec un commerçant de démonstration ; aucun profil requis.</translation>
    </message>
    <message>
        <source>Who you are</source>
        <translation>Qui vous êtes</translation>
    </message>
    <message>
        <source>A name for this merchant profile, as the desk&apos;s status bar will show it.</source>
        <translation>Un nom pour ce profil de commerçant, tel que la barre d’état du poste l’affichera.</translation>
    </message>
    <message>
        <source>e.g. Demo Café — front counter</source>
        <translation>p. ex. Café Démo — comptoir</translation>
    </message>
    <message>
        <source>Profile n&amp;ame:</source>
        <translation>&amp;Nom du profil :</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Où</translation>
    </message>
    <message>
        <source>Which IOTPay server this profile talks to.</source>
        <translation>Le serveur IOTPay auquel ce profil s’adresse.</translation>
    </message>
    <message>
        <source>&amp;Production (ccapi.iotpaycloud.com)</source>
        <translation>P&amp;roduction (ccapi.iotpaycloud.com)</translation>
    </message>
    <message>
        <source>IOTPay &amp;test host (ccdev.iotpaycloud.com)</source>
        <translation>Serveur de &amp;test IOTPay (ccdev.iotpaycloud.com)</translation>
    </message>
    <message>
        <source>C&amp;ustom URL</source>
        <translation>URL personnalis&amp;ée</translation>
    </message>
    <message>
        <source>&amp;Local sandbox</source>
        <translation>Bac à sable &amp;local</translation>
    </message>
    <message>
        <source>PRODUCTION: refunds, voids and charges made with this profile move real money on real cards.</source>
        <translation>PRODUCTION : les remboursements, annulations et débits faits avec ce profil déplacent de l’argent réel sur de vraies cartes.</translation>
    </message>
    <message>
        <source>Server U&amp;RL:</source>
        <translation>&amp;URL du serveur :</translation>
    </message>
    <message>
        <source>https only; http is accepted for 127.0.0.1 and localhost.</source>
        <translation>https seulement ; http est accepté pour 127.0.0.1 et localhost.</translation>
    </message>
    <message>
        <source>Merchant</source>
        <translation>Commerçant</translation>
    </message>
    <message>
        <source>The merchant ID and key IOTPay gave you. The key is kept only in the system keychain.</source>
        <translation>L’identifiant et la clé de commerçant fournis par IOTPay. La clé est conservée uniquement dans le trousseau du système.</translation>
    </message>
    <message>
        <source>&amp;Merchant ID (mchId):</source>
        <translation>Identifiant du &amp;commerçant (mchId) :</translation>
    </message>
    <message>
        <source>S&amp;how</source>
        <translation>&amp;Afficher</translation>
    </message>
    <message>
        <source>Merchant &amp;key:</source>
        <translation>Clé du commerçan&amp;t :</translation>
    </message>
    <message>
        <source>Leave blank to keep the stored key</source>
        <translation>Laisser vide pour garder la clé enregistrée</translation>
    </message>
    <message>
        <source>Operators</source>
        <translation>Opérateurs</translation>
    </message>
    <message>
        <source>The IOTPay login names (loginName) of the people who refund and charge here, one per line, at most 12 characters each.</source>
        <translation>Les identifiants IOTPay (loginName) des personnes qui remboursent et débitent ici, un par ligne, 12 caractères au plus chacun.</translation>
    </message>
    <message>
        <source>Operator &amp;login names:</source>
        <translation>&amp;Identifiants des opérateurs :</translation>
    </message>
    <message>
        <source>&amp;Default operator:</source>
        <translation>Opérateur par &amp;défaut :</translation>
    </message>
    <message>
        <source>Cut-off and limits</source>
        <translation>Clôture et seuils</translation>
    </message>
    <message>
        <source>When IOTPay closes the day&apos;s batch (a payment can be voided until then), and above which amount a refund must be typed twice.</source>
        <translation>L’heure à laquelle IOTPay clôt le lot du jour (un paiement peut être annulé jusque-là), et le montant au-delà duquel un remboursement doit être saisi deux fois.</translation>
    </message>
    <message>
        <source>Daily batch &amp;cut-off:</source>
        <translation>&amp;Clôture quotidienne du lot :</translation>
    </message>
    <message>
        <source>&amp;Time zone:</source>
        <translation>&amp;Fuseau horaire :</translation>
    </message>
    <message>
        <source>&amp;Retype refund amounts above:</source>
        <translation>&amp;Ressaisir les remboursements au-delà de :</translation>
    </message>
    <message>
        <source>Keep checking &amp;unconfirmed actions for:</source>
        <translation>&amp;Vérifier les actions non confirmées pendant :</translation>
    </message>
    <message>
        <source>&amp;Warn of a repeat charge within:</source>
        <translation>&amp;Avertir d’un débit répété dans les :</translation>
    </message>
    <message>
        <source> hours</source>
        <translation> heures</translation>
    </message>
    <message>
        <source>Receipts</source>
        <translation>Reçus</translation>
    </message>
    <message>
        <source>What receipts say about the merchant: the trade name (the profile name when left blank), the address in up to three lines and the GST/HST registration number.</source>
        <translation>Ce que les reçus indiquent sur le commerçant : le nom commercial (le nom du profil s’il est laissé vide), l’adresse en trois lignes au plus et le numéro d’inscription aux fins de la TPS/TVH.</translation>
    </message>
    <message>
        <source>e.g. Demo Café Ltd.</source>
        <translation>p. ex. Café Démo ltée</translation>
    </message>
    <message>
        <source>&amp;Trade name on receipts:</source>
        <translation>&amp;Nom commercial sur les reçus :</translation>
    </message>
    <message>
        <source>123 Queen St W
Toronto ON M5H 2M9</source>
        <translation>123, rue Queen Ouest
Toronto ON M5H 2M9</translation>
    </message>
    <message>
        <source>&amp;Address on receipts:</source>
        <translation>A&amp;dresse sur les reçus :</translation>
    </message>
    <message>
        <source>e.g. 123456789RT0001</source>
        <translation>p. ex. 123456789RT0001</translation>
    </message>
    <message>
        <source>&amp;GST/HST number:</source>
        <translation>Numéro de TPS/T&amp;VH :</translation>
    </message>
    <message>
        <source>Ledger</source>
        <translation>Registre</translation>
    </message>
    <message>
        <source>Where the desk keeps the merchant&apos;s ledger of refunds, voids and charges. Desks that share a PostgreSQL server see each other&apos;s actions.</source>
        <translation>Où le poste tient le registre du marchand : remboursements, annulations et débits. Les postes qui partagent un serveur PostgreSQL voient les opérations les uns des autres.</translation>
    </message>
    <message>
        <source>&amp;On this computer (one desk)</source>
        <translation>Sur cet &amp;ordinateur (un seul poste)</translation>
    </message>
    <message>
        <source>Shared Post&amp;greSQL server (several desks)</source>
        <translation>Serveur Post&amp;greSQL partagé (plusieurs postes)</translation>
    </message>
    <message>
        <source>e.g. ledger.example.ca or 192.168.1.20</source>
        <translation>p. ex. registre.exemple.ca ou 192.168.1.20</translation>
    </message>
    <message>
        <source>Po&amp;rt:</source>
        <translation>Po&amp;rt :</translation>
    </message>
    <message>
        <source>&amp;Host:</source>
        <translation>&amp;Hôte :</translation>
    </message>
    <message>
        <source>e.g. iotpay_ledger</source>
        <translation>p. ex. iotpay_ledger</translation>
    </message>
    <message>
        <source>&amp;Database:</source>
        <translation>Base de &amp;données :</translation>
    </message>
    <message>
        <source>&amp;User:</source>
        <translation>&amp;Utilisateur :</translation>
    </message>
    <message>
        <source>Leave blank to keep the stored password</source>
        <translation>Laisser vide pour garder le mot de passe enregistré</translation>
    </message>
    <message>
        <source>Sho&amp;w</source>
        <translation>A&amp;fficher</translation>
    </message>
    <message>
        <source>P&amp;assword:</source>
        <translation>Mot de p&amp;asse :</translation>
    </message>
    <message>
        <source>Encrypted, certificate checked (verify-full)</source>
        <translation>Chiffré, certificat vérifié (verify-full)</translation>
    </message>
    <message>
        <source>Encrypted, not checked (require)</source>
        <translation>Chiffré, sans vérification (require)</translation>
    </message>
    <message>
        <source>Encrypted if offered (prefer)</source>
        <translation>Chiffré si le serveur l’offre (prefer)</translation>
    </message>
    <message>
        <source>Not encrypted (disable)</source>
        <translation>Non chiffré (disable)</translation>
    </message>
    <message>
        <source>The password and the payment records cross the network: keep “verify-full” unless the server is on this computer. It needs the server&apos;s CA certificate in ~/.postgresql/root.crt on this computer.</source>
        <translation>Le mot de passe et les opérations traversent le réseau : gardez « verify-full », sauf si le serveur est sur cet ordinateur. Ce mode demande le certificat de l’autorité (CA) du serveur dans ~/.postgresql/root.crt sur cet ordinateur.</translation>
    </message>
    <message>
        <source>TLS &amp;mode:</source>
        <translation>&amp;Mode TLS :</translation>
    </message>
    <message>
        <source>T&amp;est connection</source>
        <translation>T&amp;ester la connexion</translation>
    </message>
    <message>
        <source>Signs in to the server as this user and prepares the ledger&apos;s tables in an empty database, as the desk will when it starts.</source>
        <translation>Se connecte au serveur avec cet utilisateur et prépare les tables du registre dans une base vide, comme le poste le fera au démarrage.</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Résumé</translation>
    </message>
    <message>
        <source>Check the profile, then press Finish to save it.</source>
        <translation>Vérifiez le profil, puis appuyez sur Terminer pour l’enregistrer.</translation>
    </message>
    <message>
        <source>PRODUCTION: this profile moves real money.</source>
        <translation>PRODUCTION : ce profil déplace de l’argent réel.</translation>
    </message>
    <message>
        <source>Profile name:</source>
        <translation>Nom du profil :</translation>
    </message>
    <message>
        <source>Environment:</source>
        <translation>Environnement :</translation>
    </message>
    <message>
        <source>Merchant ID (mchId):</source>
        <translation>Identifiant du commerçant (mchId) :</translation>
    </message>
    <message>
        <source>Merchant key:</source>
        <translation>Clé du commerçant :</translation>
    </message>
    <message>
        <source>Operators:</source>
        <translation>Opérateurs :</translation>
    </message>
    <message>
        <source>Daily batch cut-off:</source>
        <translation>Clôture quotidienne du lot :</translation>
    </message>
    <message>
        <source>Retype refund amounts above:</source>
        <translation>Ressaisir les remboursements au-delà de :</translation>
    </message>
    <message>
        <source>Receipts:</source>
        <translation>Reçus :</translation>
    </message>
    <message>
        <source>Ledger:</source>
        <translation>Registre :</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Réessayer</translation>
    </message>
    <message>
        <source>The merchant key is kept only in the system keychain, and the keychain cannot be used now, so this profile cannot be saved yet.</source>
        <translation>La clé marchand est gardée uniquement dans le trousseau du système, qui est inutilisable pour le moment : ce profil ne peut donc pas encore être enregistré.</translation>
    </message>
    <message>
        <source>Meanwhile, “Try the sandbox” works without a keychain.</source>
        <translation>En attendant, « Essayer le bac à sable » fonctionne sans trousseau.</translation>
    </message>
    <message>
        <source>Correct the fields marked in red first; nothing was tried.</source>
        <translation>Corrigez d’abord les champs signalés en rouge ; aucune connexion n’a été tentée.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Connexion à %1…</translation>
    </message>
    <message>
        <source>Testing the connection to the ledger…</source>
        <translation>Test de la connexion au registre…</translation>
    </message>
    <message>
        <source>Connected: PostgreSQL %1, ledger at revision %2</source>
        <translation>Connecté : PostgreSQL %1, registre à la révision %2</translation>
    </message>
    <message>
        <source>(the first one)</source>
        <translation>(le premier)</translation>
    </message>
    <message>
        <source>entered; it will be stored in the system keychain</source>
        <translation>saisie ; elle sera conservée dans le trousseau du système</translation>
    </message>
    <message>
        <source>unchanged (kept in the system keychain)</source>
        <translation>inchangée (conservée dans le trousseau du système)</translation>
    </message>
    <message>
        <source>%1 (default)</source>
        <translation>%1 (par défaut)</translation>
    </message>
    <message>
        <source>on this computer</source>
        <translation>sur cet ordinateur</translation>
    </message>
    <message>
        <source>password entered; it will be stored in the system keychain</source>
        <translation>mot de passe saisi ; il sera conservé dans le trousseau du système</translation>
    </message>
    <message>
        <source>password unchanged (kept in the system keychain)</source>
        <translation>mot de passe inchangé (conservé dans le trousseau du système)</translation>
    </message>
    <message>
        <source>no password</source>
        <translation>aucun mot de passe</translation>
    </message>
    <message>
        <source>PostgreSQL %1, TLS %2; %3</source>
        <translation>PostgreSQL %1, TLS %2 ; %3</translation>
    </message>
    <message>
        <source>Saving the profile…</source>
        <translation>Enregistrement du profil…</translation>
    </message>
    <message>
        <source>Nothing was saved; what you typed is still here.</source>
        <translation>Rien n’a été enregistré ; ce que vous avez saisi est toujours là.</translation>
    </message>
</context>
<context>
    <name>ProfilesDialog</name>
    <message>
        <source>Merchant profiles</source>
        <translation>Profils de commerçant</translation>
    </message>
</context>
<context>
    <name>ProfilesPage</name>
    <message>
        <source>Profile</source>
        <translation>Profil</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>Environnement</translation>
    </message>
    <message>
        <source>Merchant ID</source>
        <translation>Identifiant du commerçant</translation>
    </message>
    <message>
        <source>Direct card entry</source>
        <translation>Saisie directe des cartes</translation>
    </message>
    <message>
        <source>Ledger</source>
        <translation>Registre</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Ajouter…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Modifier…</translation>
    </message>
    <message>
        <source>&amp;Remove…</source>
        <translation>&amp;Supprimer…</translation>
    </message>
    <message>
        <source>S&amp;witch to</source>
        <translation>&amp;Basculer vers</translation>
    </message>
    <message>
        <source>&amp;Direct card entry…</source>
        <translation>Saisie &amp;directe des cartes…</translation>
    </message>
    <message>
        <source>Receip&amp;ts…</source>
        <translation>&amp;Reçus…</translation>
    </message>
    <message>
        <source>The trade name, address and GST/HST number printed on receipts</source>
        <translation>Le nom commercial, l’adresse et le numéro de TPS/TVH imprimés sur les reçus</translation>
    </message>
    <message>
        <source>&amp;Ledger…</source>
        <translation>Re&amp;gistre…</translation>
    </message>
    <message>
        <source>Where the profile&apos;s ledger lives: this computer or a shared server</source>
        <translation>Où se trouve le registre du profil : cet ordinateur ou un serveur partagé</translation>
    </message>
    <message>
        <source>Merchant profiles</source>
        <translation>Profils de commerçant</translation>
    </message>
    <message>
        <source>%1 (active)</source>
        <translation>%1 (actif)</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Activée</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Désactivée</translation>
    </message>
    <message>
        <source>PostgreSQL: %1</source>
        <translation>PostgreSQL : %1</translation>
    </message>
    <message>
        <source>This computer</source>
        <translation>Cet ordinateur</translation>
    </message>
    <message>
        <source>Turn off &amp;direct card entry</source>
        <translation>Désactiver la saisie &amp;directe</translation>
    </message>
    <message>
        <source>Remove profile</source>
        <translation>Supprimer le profil</translation>
    </message>
    <message>
        <source>Remove the profile “%1” and its merchant key (and ledger password) from the keychain? Its journal (refunds, voids, charges, card vault) stays on this computer.</source>
        <translation>Supprimer le profil « %1 » et sa clé marchand (et le mot de passe du registre) du trousseau ? Son journal (remboursements, annulations, débits, coffre de cartes) reste sur cet ordinateur.</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Supprimer</translation>
    </message>
    <message>
        <source>The merchant key of “%1” cannot be deleted now. Remove the profile anyway and leave its key in the keychain? You can delete it later with your keychain application.</source>
        <translation>La clé de commerçant de « %1 » ne peut pas être supprimée maintenant. Supprimer quand même le profil et laisser sa clé dans le trousseau ? Vous pourrez la supprimer plus tard avec l’application du trousseau.</translation>
    </message>
    <message>
        <source>Remove, &amp;leave the key</source>
        <translation>Supprimer, &amp;laisser la clé</translation>
    </message>
    <message>
        <source>Removing the profile…</source>
        <translation>Suppression du profil…</translation>
    </message>
    <message>
        <source>Saving the profile…</source>
        <translation>Enregistrement du profil…</translation>
    </message>
</context>
<context>
    <name>PurchaseDialog</name>
    <message>
        <source>Take a payment on IOTPay&apos;s page</source>
        <translation>Encaisser un paiement sur la page d’IOTPay</translation>
    </message>
    <message>
        <source>e.g. 12.50</source>
        <translation>p. ex. 12,50</translation>
    </message>
    <message>
        <source>shown on IOTPay&apos;s page</source>
        <translation>affiché sur la page d’IOTPay</translation>
    </message>
    <message>
        <source>&amp;Amount:</source>
        <translation>&amp;Montant :</translation>
    </message>
    <message>
        <source>&amp;Subject:</source>
        <translation>&amp;Objet :</translation>
    </message>
    <message>
        <source>&amp;Key in here…</source>
        <translation>&amp;Saisir ici…</translation>
    </message>
    <message>
        <source>Open IOTPay&apos;s page in the desk and type the card there.</source>
        <translation>Ouvrir la page d’IOTPay dans le poste et y saisir la carte.</translation>
    </message>
    <message>
        <source>Customer&apos;s &amp;phone</source>
        <translation>&amp;Téléphone du client</translation>
    </message>
    <message>
        <source>Show a link and its QR code; the customer pays on their own phone.</source>
        <translation>Afficher un lien et son code QR ; le client paie sur son propre téléphone.</translation>
    </message>
    <message>
        <source>Payment link</source>
        <translation>Lien de paiement</translation>
    </message>
    <message>
        <source>&amp;Copy link</source>
        <translation>&amp;Copier le lien</translation>
    </message>
    <message>
        <source>QR code of the payment link</source>
        <translation>Code QR du lien de paiement</translation>
    </message>
    <message>
        <source>The customer scans the code with the phone&apos;s camera and pays there.</source>
        <translation>Le client lit le code avec l’appareil photo du téléphone et y paie.</translation>
    </message>
    <message>
        <source>K&amp;eep checking</source>
        <translation>Continuer à &amp;vérifier</translation>
    </message>
    <message>
        <source>&amp;Receipt…</source>
        <translation>&amp;Reçu…</translation>
    </message>
    <message>
        <source>&amp;Try another card…</source>
        <translation>&amp;Essayer une autre carte…</translation>
    </message>
    <message>
        <source>Open IOTPay&apos;s page again for the same payment and type another card.</source>
        <translation>Rouvrir la page d’IOTPay pour le même paiement et saisir une autre carte.</translation>
    </message>
    <message>
        <source>Asking IOTPay for a payment page…</source>
        <translation>Demande d’une page de paiement à IOTPay…</translation>
    </message>
    <message>
        <source>Payment of %1</source>
        <translation>Paiement de %1</translation>
    </message>
    <message>
        <source>The card was declined: “%1”. Nothing was charged. IOTPay&apos;s page is open again for another card.</source>
        <translation>La carte a été refusée : « %1 ». Rien n’a été débité. La page d’IOTPay est de nouveau ouverte pour une autre carte.</translation>
    </message>
    <message>
        <source>The card was declined: “%1”. Nothing was charged. Type another card, or Cancel to stop.</source>
        <translation>La carte a été refusée : « %1 ». Rien n’a été débité. Saisissez une autre carte, ou Annuler pour arrêter.</translation>
    </message>
    <message>
        <source>The payment page was closed. Checking with IOTPay whether it was paid…</source>
        <translation>La page de paiement a été fermée. Vérification auprès d’IOTPay du paiement…</translation>
    </message>
    <message>
        <source>IOTPay&apos;s page is done. Confirming the payment with IOTPay…</source>
        <translation>La page d’IOTPay est terminée. Confirmation du paiement auprès d’IOTPay…</translation>
    </message>
    <message>
        <source>Checking the card&apos;s answer with IOTPay…</source>
        <translation>Vérification auprès d’IOTPay de la réponse pour la carte…</translation>
    </message>
    <message>
        <source>Waiting for the customer to pay…</source>
        <translation>En attente du paiement du client…</translation>
    </message>
    <message>
        <source>Link copied. Waiting for the customer to pay…</source>
        <translation>Lien copié. En attente du paiement du client…</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>aucune raison indiquée</translation>
    </message>
    <message>
        <source>Check %1 of %2</source>
        <translation>Vérification %1 sur %2</translation>
    </message>
    <message>
        <source>The card was declined: “%1”. Nothing was charged. To try another card, press Try another card: IOTPay&apos;s page opens again for this payment.</source>
        <translation>La carte a été refusée : « %1 ». Rien n’a été débité. Pour essayer une autre carte, appuyez sur Essayer une autre carte : la page d’IOTPay se rouvre pour ce paiement.</translation>
    </message>
    <message>
        <source>The card was declined: “%1”. Nothing was charged yet. The customer can open the link again (scan the code again) and try another card; the desk keeps checking.</source>
        <translation>La carte a été refusée : « %1 ». Rien n’a encore été débité. Le client peut rouvrir le lien (scanner le code de nouveau) et essayer une autre carte ; le poste continue de vérifier.</translation>
    </message>
    <message>
        <source>Checking the payment with IOTPay…</source>
        <translation>Vérification du paiement auprès d’IOTPay…</translation>
    </message>
    <message>
        <source>Outcome unknown: IOTPay has not confirmed this payment yet. It may still be paid. Keep checking, or look the order up later (order %1).</source>
        <translation>Résultat inconnu : IOTPay n’a pas encore confirmé ce paiement. Il peut encore être payé. Continuez à vérifier, ou recherchez la commande plus tard (commande %1).</translation>
    </message>
    <message>
        <source>Paid %1.</source>
        <translation>Paiement de %1 reçu.</translation>
    </message>
    <message>
        <source>IOTPay&apos;s reference: %1.</source>
        <translation>Référence IOTPay : %1.</translation>
    </message>
    <message>
        <source>The payment was declined: “%1”. Nothing was charged.</source>
        <translation>Le paiement a été refusé : « %1 ». Rien n’a été débité.</translation>
    </message>
    <message>
        <source>IOTPay refused the payment: “%1”. Nothing was charged.</source>
        <translation>IOTPay a refusé le paiement : « %1 ». Rien n’a été débité.</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fermer</translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <source>Sale</source>
        <extracomment>The translation context of every receipt text. Characters on one line of an 80 mm receipt printer (72 mm printable, monospaced).</extracomment>
        <translation>Vente</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>Remboursement</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>Annulation</translation>
    </message>
    <message>
        <source>Online purchase</source>
        <translation>Achat en ligne</translation>
    </message>
    <message>
        <source>APPROVED</source>
        <translation>APPROUVÉ</translation>
    </message>
    <message>
        <source>DECLINED</source>
        <translation>REFUSÉ</translation>
    </message>
    <message>
        <source>PENDING</source>
        <translation>EN ATTENTE</translation>
    </message>
    <message>
        <source>NOT COMPLETED</source>
        <translation>NON TERMINÉ</translation>
    </message>
    <message>
        <source>Letter page (8.5 × 11 in)</source>
        <translation>Page Lettre (8,5 × 11 po)</translation>
    </message>
    <message>
        <source>A4 page (210 × 297 mm)</source>
        <translation>Page A4 (210 × 297 mm)</translation>
    </message>
    <message>
        <source>Receipt printer (80 mm roll)</source>
        <translation>Imprimante de reçus (rouleau de 80 mm)</translation>
    </message>
    <message>
        <source>Merchant ID</source>
        <translation>Identifiant marchand</translation>
    </message>
    <message>
        <source>GST/HST</source>
        <translation>TPS/TVH</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Carte</translation>
    </message>
    <message>
        <source>Authorization</source>
        <translation>Autorisation</translation>
    </message>
    <message>
        <source>Transaction</source>
        <translation>Transaction</translation>
    </message>
    <message>
        <source>IOTPay order</source>
        <translation>Commande IOTPay</translation>
    </message>
    <message>
        <source>Original payment</source>
        <translation>Paiement d’origine</translation>
    </message>
    <message>
        <source>Order number</source>
        <translation>Numéro de commande</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Opérateur</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Remboursé</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>Annulé</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Référence</translation>
    </message>
    <message>
        <source>Returned outside this desk</source>
        <translation>Rendu hors de ce poste</translation>
    </message>
    <message>
        <source>Left on the payment</source>
        <translation>Reste sur le paiement</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>IOTPay says</source>
        <translation>Réponse d’IOTPay</translation>
    </message>
    <message>
        <source>VOIDED on %1: this payment was cancelled in full.</source>
        <translation>ANNULÉ le %1 : ce paiement a été annulé en entier.</translation>
    </message>
    <message>
        <source>REFUNDED %1 of %2.</source>
        <translation>REMBOURSÉ %1 sur %2.</translation>
    </message>
    <message>
        <source>REFUNDED OR VOIDED: %1 of %2 returned.</source>
        <translation>REMBOURSÉ OU ANNULÉ : %1 sur %2 rendus.</translation>
    </message>
    <message>
        <source>Times are in the %1 time zone.</source>
        <translation>Les heures sont celles du fuseau horaire %1.</translation>
    </message>
</context>
<context>
    <name>ReceiptDialog</name>
    <message>
        <source>Pap&amp;er:</source>
        <extracomment>The translation context of the receipt&apos;s words (marked in the core with ``QT_TRANSLATE_NOOP(&quot;Receipt&quot;, ...)``).</extracomment>
        <translation>P&amp;apier :</translation>
    </message>
    <message>
        <source>&amp;Print…</source>
        <translation>&amp;Imprimer…</translation>
    </message>
    <message>
        <source>Save as P&amp;DF…</source>
        <translation>Enregistrer en P&amp;DF…</translation>
    </message>
    <message>
        <source>Print the receipt</source>
        <translation>Imprimer le reçu</translation>
    </message>
    <message>
        <source>No printer is available. Save the receipt as PDF instead.</source>
        <translation>Aucune imprimante n’est disponible. Enregistrez plutôt le reçu en PDF.</translation>
    </message>
    <message>
        <source>The receipt could not be printed. Check the printer, or save as PDF.</source>
        <translation>Le reçu n’a pas pu être imprimé. Vérifiez l’imprimante ou enregistrez-le en PDF.</translation>
    </message>
    <message>
        <source>The receipt was sent to the printer.</source>
        <translation>Le reçu a été envoyé à l’imprimante.</translation>
    </message>
    <message>
        <source>Save the receipt as PDF</source>
        <translation>Enregistrer le reçu en PDF</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>Documents PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Saving the receipt…</source>
        <translation>Enregistrement du reçu…</translation>
    </message>
    <message>
        <source>Saved as %1.</source>
        <translation>Enregistré sous %1.</translation>
    </message>
    <message>
        <source>Receipt %1</source>
        <translation>Reçu %1</translation>
    </message>
</context>
<context>
    <name>RefundDialog</name>
    <message>
        <source>Refund a payment</source>
        <translation>Rembourser un paiement</translation>
    </message>
    <message>
        <source>Void a payment</source>
        <translation>Annuler un paiement</translation>
    </message>
    <message>
        <source>Payment %1 of %2. Left to refund: %3.</source>
        <translation>Paiement %1 de %2. Reste à rembourser : %3.</translation>
    </message>
    <message>
        <source>Payment %1: a void cancels all of it (%2) before it settles.</source>
        <translation>Paiement %1 : une annulation l’annule en entier (%2) avant son règlement.</translation>
    </message>
    <message>
        <source>Item returned</source>
        <translation>Article retourné</translation>
    </message>
    <message>
        <source>Customer cancelled</source>
        <translation>Annulation par le client</translation>
    </message>
    <message>
        <source>Charged twice</source>
        <translation>Débité deux fois</translation>
    </message>
    <message>
        <source>Wrong amount charged</source>
        <translation>Mauvais montant débité</translation>
    </message>
    <message>
        <source>Goodwill gesture</source>
        <translation>Geste commercial</translation>
    </message>
    <message>
        <source>choose or type a reason</source>
        <translation>choisissez ou tapez un motif</translation>
    </message>
    <message>
        <source>&amp;Amount to refund:</source>
        <translation>&amp;Montant à rembourser :</translation>
    </message>
    <message>
        <source>Amount a&amp;gain:</source>
        <translation>Montant, &amp;de nouveau :</translation>
    </message>
    <message>
        <source>R&amp;eason:</source>
        <translation>Mo&amp;tif :</translation>
    </message>
    <message>
        <source>&amp;Note (kept in the journal):</source>
        <translation>&amp;Note (conservée dans le journal) :</translation>
    </message>
    <message>
        <source>&amp;Refund</source>
        <translation>&amp;Rembourser</translation>
    </message>
    <message>
        <source>&amp;Void</source>
        <translation>Annuler le &amp;paiement</translation>
    </message>
    <message>
        <source>&amp;Try again</source>
        <translation>R&amp;éessayer</translation>
    </message>
    <message>
        <source>&amp;Send again (same number)</source>
        <translation>Env&amp;oyer de nouveau (même numéro)</translation>
    </message>
    <message>
        <source>Recei&amp;pt…</source>
        <translation>Reç&amp;u…</translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation>Préparation…</translation>
    </message>
    <message>
        <source>IOTPay has no record of this refund yet. It may still arrive late, so it is not known whether money moved. The desk keeps checking until %1 and shows the outcome in Activity. You can send it again with the same number (%2): IOTPay refuses a number it has already used, so it can never be refunded twice.</source>
        <translation>IOTPay n’a encore aucune trace de ce remboursement. Il peut encore arriver en retard : on ne sait donc pas si de l’argent a bougé. Le poste continue de vérifier jusqu’au %1 et affiche le résultat dans Activité. Vous pouvez l’envoyer de nouveau avec le même numéro (%2) : IOTPay refuse un numéro déjà utilisé, le remboursement ne peut donc jamais être fait deux fois.</translation>
    </message>
    <message>
        <source>IOTPay has no record of this void yet. It may still arrive late, so it is not known whether the payment was cancelled. The desk keeps checking until %1 and shows the outcome in Activity. You can send it again with the same number (%2): IOTPay refuses a number it has already used, so it can never go through twice.</source>
        <translation>IOTPay n’a encore aucune trace de cette annulation. Elle peut encore arriver en retard : on ne sait donc pas si le paiement a été annulé. Le poste continue de vérifier jusqu’au %1 et affiche le résultat dans Activité. Vous pouvez l’envoyer de nouveau avec le même numéro (%2) : IOTPay refuse un numéro déjà utilisé, elle ne peut donc jamais passer deux fois.</translation>
    </message>
    <message>
        <source>Sending again with the same number…</source>
        <translation>Nouvel envoi avec le même numéro…</translation>
    </message>
    <message>
        <source>at the end of the day&apos;s batch</source>
        <translation>à la clôture du lot de la journée</translation>
    </message>
    <message>
        <source>tonight at %1</source>
        <translation>ce soir à %1</translation>
    </message>
    <message>
        <source>on %1 at %2</source>
        <translation>le %1 à %2</translation>
    </message>
    <message>
        <source>Not settled yet: IOTPay refunds a payment only once it has settled, %1. To return only %2, wait until then and refund it. Before then the only way back is a void, which cancels the full %3.</source>
        <translation>Pas encore réglé : IOTPay ne rembourse un paiement qu’une fois celui-ci réglé, %1. Pour ne rendre que %2, attendez ce moment, puis remboursez-le. D’ici là, le seul retour possible est une annulation, qui annule la totalité de %3.</translation>
    </message>
    <message>
        <source>Not settled yet: IOTPay refunds a payment only once it has settled, %1. Before then, void it instead: a void returns the full %3.</source>
        <translation>Pas encore réglé : IOTPay ne rembourse un paiement qu’une fois celui-ci réglé, %1. D’ici là, annulez-le plutôt : une annulation rend la totalité de %3.</translation>
    </message>
    <message>
        <source>The two amounts differ. Type the amount to refund again to confirm it.</source>
        <translation>Les deux montants diffèrent. Retapez le montant à rembourser pour le confirmer.</translation>
    </message>
    <message>
        <source>Refunding with IOTPay…</source>
        <translation>Remboursement auprès d’IOTPay…</translation>
    </message>
    <message>
        <source>Voiding with IOTPay…</source>
        <translation>Annulation auprès d’IOTPay…</translation>
    </message>
    <message>
        <source>Refunded %1.</source>
        <translation>Remboursement de %1 effectué.</translation>
    </message>
    <message>
        <source>Voided %1.</source>
        <translation>Annulation de %1 effectuée.</translation>
    </message>
    <message>
        <source>IOTPay&apos;s reference: %1.</source>
        <translation>Référence IOTPay : %1.</translation>
    </message>
    <message>
        <source>IOTPay has not confirmed yet. The desk keeps checking with IOTPay and shows the outcome in Activity. Do not start it again.</source>
        <translation>IOTPay n’a pas encore confirmé. Le poste continue de vérifier auprès d’IOTPay et affiche le résultat dans Activité. Ne recommencez pas l’opération.</translation>
    </message>
    <message>
        <source>IOTPay never received it, so nothing moved. You can try again.</source>
        <translation>IOTPay ne l’a jamais reçue : aucun argent n’a bougé. Vous pouvez réessayer.</translation>
    </message>
    <message>
        <source>IOTPay declined it: “%1”.</source>
        <translation>IOTPay l’a déclinée : « %1 ».</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>aucune raison indiquée</translation>
    </message>
    <message>
        <source>IOTPay refused it: “%1”.</source>
        <translation>IOTPay l’a refusée : « %1 ».</translation>
    </message>
    <message>
        <source>The payment has settled: refund it instead.</source>
        <translation>Le paiement est réglé : remboursez-le plutôt.</translation>
    </message>
    <message>
        <source>&amp;Refund instead</source>
        <translation>&amp;Rembourser plutôt</translation>
    </message>
    <message>
        <source>The payment has not settled yet, so IOTPay cannot refund part of it. A void cancels the whole payment: %1, not %2. To return only %2, refund it once it has settled (%3).</source>
        <translation>Le paiement n’est pas encore réglé : IOTPay ne peut donc pas en rembourser une partie. Une annulation annule tout le paiement : %1, et non %2. Pour ne rendre que %2, remboursez-le une fois qu’il sera réglé (%3).</translation>
    </message>
    <message>
        <source>&amp;Void the full %1 instead</source>
        <translation>Annuler plutôt tout le &amp;paiement (%1)</translation>
    </message>
    <message>
        <source>The payment has not settled yet: void it instead.</source>
        <translation>Le paiement n’est pas encore réglé : annulez-le plutôt.</translation>
    </message>
    <message>
        <source>&amp;Void instead</source>
        <translation>Annuler le &amp;paiement plutôt</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fermer</translation>
    </message>
</context>
<context>
    <name>Rule</name>
    <message>
        <source>is required</source>
        <translation>est obligatoire</translation>
    </message>
    <message>
        <source>must be text</source>
        <translation>doit être du texte</translation>
    </message>
    <message>
        <source>must not be blank</source>
        <translation>ne doit pas être vide</translation>
    </message>
    <message>
        <source>must not contain control characters</source>
        <translation>ne doit pas contenir de caractères de contrôle</translation>
    </message>
    <message>
        <source>must be a whole number</source>
        <translation>doit être un nombre entier</translation>
    </message>
    <message>
        <source>must be at least %1</source>
        <translation>doit être d’au moins %1</translation>
    </message>
    <message>
        <source>must be at most %1</source>
        <translation>doit être d’au plus %1</translation>
    </message>
    <message>
        <source>must be on or off</source>
        <translation>doit être activé ou désactivé</translation>
    </message>
    <message>
        <source>must be a whole number of cents</source>
        <translation>doit être un nombre entier de cents</translation>
    </message>
    <message>
        <source>must be more than 0 cents</source>
        <translation>doit être supérieur à 0 cent</translation>
    </message>
    <message>
        <source>is too large</source>
        <translation>est trop grand</translation>
    </message>
    <message>
        <source>must be base64 text</source>
        <translation>doit être du texte en base64</translation>
    </message>
    <message>
        <source>must be valid base64</source>
        <translation>doit être du base64 valide</translation>
    </message>
    <message>
        <source>must be MMYY (month 01-12, two-digit year)</source>
        <translation>doit être au format MMAA (mois 01-12, année sur deux chiffres)</translation>
    </message>
    <message>
        <source>must be digits only</source>
        <translation>ne doit contenir que des chiffres</translation>
    </message>
    <message>
        <source>must be 12 to 19 digits</source>
        <translation>doit compter de 12 à 19 chiffres</translation>
    </message>
    <message>
        <source>fails the card number check (Luhn)</source>
        <translation>échoue au contrôle du numéro de carte (Luhn)</translation>
    </message>
    <message>
        <source>must be 3 or 4 digits</source>
        <translation>doit compter 3 ou 4 chiffres</translation>
    </message>
    <message>
        <source>must be an http(s) address</source>
        <translation>doit être une adresse http(s)</translation>
    </message>
    <message>
        <source>must be an IPv4 or IPv6 address</source>
        <translation>doit être une adresse IPv4 ou IPv6</translation>
    </message>
    <message>
        <source>must be 32 lowercase hexadecimal characters</source>
        <translation>doit compter 32 caractères hexadécimaux en minuscules</translation>
    </message>
    <message>
        <source>must be production, IOTPay&apos;s test host, a custom URL or the sandbox</source>
        <translation>doit être la production, le serveur de test d’IOTPay, une URL personnalisée ou le bac à sable</translation>
    </message>
    <message>
        <source>must be a list of login names</source>
        <translation>doit être une liste d’identifiants</translation>
    </message>
    <message>
        <source>needs the PCI DSS responsibility confirmed first</source>
        <translation>exige d’abord la confirmation de la responsabilité PCI DSS</translation>
    </message>
    <message>
        <source>the name of the person who confirmed it %1</source>
        <translation>le nom de la personne qui l’a confirmée %1</translation>
    </message>
    <message>
        <source>must record when it was confirmed</source>
        <translation>doit indiquer quand la confirmation a été donnée</translation>
    </message>
    <message>
        <source>must be a whole number of hours</source>
        <translation>doit être un nombre entier d’heures</translation>
    </message>
    <message>
        <source>must be at least %1 hours</source>
        <translation>doit être d’au moins %1 heures</translation>
    </message>
    <message>
        <source>must be at most %1 hours</source>
        <translation>doit être d’au plus %1 heures</translation>
    </message>
    <message>
        <source>must be at most %1 lines</source>
        <translation>doit compter au plus %1 lignes</translation>
    </message>
    <message>
        <source>must not start or end with a space</source>
        <translation>ne doit ni commencer ni finir par une espace</translation>
    </message>
    <message>
        <source>is required together with the wallet type and wallet data</source>
        <translation>est obligatoire avec le type et les données du portefeuille</translation>
    </message>
    <message>
        <source>is required (or give the IOTPay order ID)</source>
        <translation>est obligatoire (ou indiquez l’identifiant de commande IOTPay)</translation>
    </message>
    <message>
        <source>must be left empty when the order number is given</source>
        <translation>doit rester vide si le numéro de commande est indiqué</translation>
    </message>
    <message>
        <source>must be more than 0</source>
        <translation>doit être supérieur à 0</translation>
    </message>
    <message>
        <source>must be an amount such as 12.50</source>
        <translation>doit être un montant comme 12,50</translation>
    </message>
    <message>
        <source>has nothing left to void</source>
        <translation>n’a plus rien à annuler</translation>
    </message>
    <message>
        <source>is a refund or a void, not a payment</source>
        <translation>est un remboursement ou une annulation, pas un paiement</translation>
    </message>
    <message>
        <source>is a payment still waiting for IOTPay&apos;s answer</source>
        <translation>est un paiement qui attend encore la réponse d’IOTPay</translation>
    </message>
    <message>
        <source>is a payment that did not succeed</source>
        <translation>est un paiement qui n’a pas abouti</translation>
    </message>
    <message>
        <source>was refused by IOTPay</source>
        <translation>a été refusé par IOTPay</translation>
    </message>
    <message>
        <source>cannot be sent again (%1)</source>
        <translation>ne peut pas être envoyé de nouveau (%1)</translation>
    </message>
    <message>
        <source>is already in the card vault</source>
        <translation>est déjà dans le coffre de cartes</translation>
    </message>
    <message>
        <source>must not look like a card number</source>
        <translation>ne doit pas ressembler à un numéro de carte</translation>
    </message>
    <message>
        <source>must be letters, digits, “.”, “_” or “-”</source>
        <translation>doit contenir des lettres, des chiffres, « . », « _ » ou « - »</translation>
    </message>
    <message>
        <source>is a card that has expired</source>
        <translation>est une carte expirée</translation>
    </message>
    <message>
        <source>must have at most two decimals</source>
        <translation>doit avoir au plus deux décimales</translation>
    </message>
    <message>
        <source>must be at most %1 characters</source>
        <translation>doit compter au plus %1 caractères</translation>
    </message>
    <message>
        <source>is more than what is left to refund (%1)</source>
        <translation>dépasse ce qui reste à rembourser (%1)</translation>
    </message>
    <message>
        <source>must be one of: %1</source>
        <translation>doit être l’une des valeurs : %1</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings</source>
        <extracomment>Settings the running desk cannot change under its windows: they apply at the next start. Beside each text field: the rule its value breaks (hidden while it breaks none).</extracomment>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Settings cannot be changed in this window.</source>
        <translation>Les paramètres ne peuvent pas être modifiés dans cette fenêtre.</translation>
    </message>
    <message>
        <source>Restart now</source>
        <translation>Redémarrer maintenant</translation>
    </message>
    <message>
        <source>The desk shows this change after a restart.</source>
        <translation>Le poste affiche ce changement après un redémarrage.</translation>
    </message>
    <message>
        <source>Saving settings…</source>
        <translation>Enregistrement des paramètres…</translation>
    </message>
</context>
<context>
    <name>Statement</name>
    <message>
        <source>The file is larger than %1 MB; a bank statement is much smaller.</source>
        <translation>Le fichier dépasse %1 Mo ; un relevé bancaire est beaucoup plus petit.</translation>
    </message>
    <message>
        <source>The file is empty.</source>
        <translation>Le fichier est vide.</translation>
    </message>
    <message>
        <source>This is not a text file (CSV) nor an OFX or QFX statement.</source>
        <translation>Ce n’est ni un fichier texte (CSV) ni un relevé OFX ou QFX.</translation>
    </message>
    <message>
        <source>The file is neither UTF-8 nor Windows-1252 text: line %1 has a byte that cannot be read (byte %2 of the file).</source>
        <translation>Le fichier n’est ni du texte UTF-8 ni du texte Windows-1252 : la ligne %1 contient un octet illisible (octet %2 du fichier).</translation>
    </message>
    <message>
        <source>No date column was found: the file needs a header row with a date, a description and an amount (or withdrawal and deposit) column.</source>
        <translation>Aucune colonne de date n’a été trouvée : le fichier doit avoir une ligne d’en-tête avec une colonne de date, de description et de montant (ou de retrait et de dépôt).</translation>
    </message>
    <message>
        <source>No amount column was found: the header needs an amount column, or withdrawal and deposit (debit and credit) columns.</source>
        <translation>Aucune colonne de montant n’a été trouvée : l’en-tête doit avoir une colonne de montant, ou des colonnes de retrait et de dépôt (débit et crédit).</translation>
    </message>
    <message>
        <source>The file has no transaction lines.</source>
        <translation>Le fichier ne contient aucune ligne de transaction.</translation>
    </message>
    <message>
        <source>The dates are written both day first (line %1) and month first (line %2): the file cannot be read.</source>
        <translation>Les dates sont écrites tantôt jour en premier (ligne %1), tantôt mois en premier (ligne %2) : le fichier ne peut pas être lu.</translation>
    </message>
    <message>
        <source>Every date in the file could be read day first or month first (for example “%1”): choose how the bank writes dates.</source>
        <translation>Chaque date du fichier peut se lire jour en premier ou mois en premier (par exemple « %1 ») : choisissez comment la banque écrit les dates.</translation>
    </message>
    <message>
        <source>The file is not a valid OFX or QFX statement: %1</source>
        <translation>Le fichier n’est pas un relevé OFX ou QFX valide : %1</translation>
    </message>
    <message>
        <source>The OFX file holds no bank or card statement.</source>
        <translation>Le fichier OFX ne contient aucun relevé bancaire ni relevé de carte.</translation>
    </message>
    <message>
        <source>The file cannot be read: %1</source>
        <translation>Le fichier ne peut pas être lu : %1</translation>
    </message>
    <message>
        <source>“%1” is not a date</source>
        <translation>« %1 » n’est pas une date</translation>
    </message>
    <message>
        <source>“%1” is not an amount</source>
        <translation>« %1 » n’est pas un montant</translation>
    </message>
    <message>
        <source>the line has %1 cells; the header has %2</source>
        <translation>la ligne a %1 cellules ; l’en-tête en a %2</translation>
    </message>
    <message>
        <source>both the withdrawal and the deposit columns have an amount</source>
        <translation>les colonnes retrait et dépôt ont toutes deux un montant</translation>
    </message>
    <message>
        <source>no amount</source>
        <translation>aucun montant</translation>
    </message>
    <message>
        <source>“%1” in the withdrawal column is negative</source>
        <translation>« %1 » dans la colonne retrait est négatif</translation>
    </message>
</context>
<context>
    <name>TransactionsModel</name>
    <message>
        <source>Date and time</source>
        <extracomment>The export&apos;s fields (``ledger.export.FIELDS``&apos; keys) in the order the dialog offers them, and the table&apos;s columns they show.</extracomment>
        <translation>Date et heure</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Order number</source>
        <translation>N° de commande</translation>
    </message>
    <message>
        <source>IOTPay order ID</source>
        <translation>N° de commande IOTPay</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Remboursé</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Carte</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Opérateur</translation>
    </message>
    <message>
        <source>Desk</source>
        <translation>Poste</translation>
    </message>
    <message>
        <source>Reason or note</source>
        <translation>Motif ou note</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Paiement</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>Remboursement</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>Annulation</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Inconnu</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Payé</translation>
    </message>
    <message>
        <source>Paid, notified</source>
        <translation>Payé, avis reçu</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Échoué</translation>
    </message>
</context>
<context>
    <name>TransactionsPage</name>
    <message>
        <source>Every order of this merchant that a desk made, looked up or was notified of, newest first. Filters combine; double-click an order (or press Enter) to open its payment on the Orders page.</source>
        <translation>Toutes les commandes de ce marchand qu’un poste a faites, consultées ou reçues en avis, les plus récentes d’abord. Les filtres se combinent ; double-cliquez sur une commande (ou appuyez sur Entrée) pour ouvrir son paiement dans la page Commandes.</translation>
    </message>
    <message>
        <source>Order number, customer, subject, reason or note</source>
        <translation>N° de commande, client, objet, motif ou note</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>Depuis le début</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Aujourd’hui</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Hier</translation>
    </message>
    <message>
        <source>This week</source>
        <translation>Cette semaine</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>Ce mois-ci</translation>
    </message>
    <message>
        <source>Dates…</source>
        <translation>Dates…</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>Tout état</translation>
    </message>
    <message>
        <source>Any kind</source>
        <translation>Tout type</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>Paiements</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>Remboursements</translation>
    </message>
    <message>
        <source>Voids</source>
        <translation>Annulations</translation>
    </message>
    <message>
        <source>&amp;Period:</source>
        <translation>&amp;Période :</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>Du :</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>Au :</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>É&amp;tat :</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>T&amp;ype :</translation>
    </message>
    <message>
        <source>Fi&amp;nd:</source>
        <translation>Rec&amp;hercher :</translation>
    </message>
    <message>
        <source>&amp;Last four:</source>
        <translation>&amp;4 derniers chiffres :</translation>
    </message>
    <message>
        <source>&amp;Amount:</source>
        <translation>&amp;Montant :</translation>
    </message>
    <message>
        <source>to:</source>
        <translation>à :</translation>
    </message>
    <message>
        <source>&amp;Operator:</source>
        <translation>&amp;Opérateur :</translation>
    </message>
    <message>
        <source>&amp;Desk:</source>
        <translation>Po&amp;ste :</translation>
    </message>
    <message>
        <source>Transactions</source>
        <translation>Transactions</translation>
    </message>
    <message>
        <source>four digits</source>
        <translation>quatre chiffres</translation>
    </message>
    <message>
        <source>on or after the first day</source>
        <translation>le premier jour ou après</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Amount to</source>
        <translation>Montant maximal</translation>
    </message>
    <message>
        <source>Last four</source>
        <translation>4 derniers chiffres</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Au</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Du</translation>
    </message>
    <message>
        <source>Sa&amp;ve…</source>
        <translation>E&amp;nregistrer…</translation>
    </message>
    <message>
        <source>Save the filter as it is, under a name</source>
        <translation>Enregistrer le filtre tel quel, sous un nom</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>Renommer…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <source>E&amp;xport…</source>
        <translation>E&amp;xporter…</translation>
    </message>
    <message>
        <source>Every order the filter shows, to a CSV or Excel file (Ctrl+Shift+E)</source>
        <translation>Toutes les commandes affichées par le filtre, vers un fichier CSV ou Excel (Ctrl+Maj+E)</translation>
    </message>
    <message>
        <source>&amp;Import orders…</source>
        <translation>&amp;Importer des commandes…</translation>
    </message>
    <message>
        <source>Bring orders named in a CSV file (order numbers or IOTPay order IDs) into the books</source>
        <translation>Importer dans les livres les commandes nommées dans un fichier CSV (numéros de commande ou identifiants de commande IOTPay)</translation>
    </message>
    <message>
        <source>Saved filte&amp;rs:</source>
        <translation>Filtres en&amp;registrés :</translation>
    </message>
    <message>
        <source>Name: type a name for the filter.</source>
        <translation>Nom : saisissez un nom pour le filtre.</translation>
    </message>
    <message>
        <source>Name: at most %1 characters.</source>
        <translation>Nom : %1 caractères au maximum.</translation>
    </message>
    <message>
        <source>Name: another saved filter is called %1.</source>
        <translation>Nom : un autre filtre enregistré s’appelle %1.</translation>
    </message>
    <message>
        <source>(none chosen)</source>
        <translation>(aucun choisi)</translation>
    </message>
    <message>
        <source>Saved filter %1: %2</source>
        <translation>Filtre enregistré %1 : %2</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Période</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>%1: no longer offered</source>
        <translation>%1 : n’est plus proposé</translation>
    </message>
    <message>
        <source>%1: not a date</source>
        <translation>%1 : n’est pas une date</translation>
    </message>
    <message>
        <source>Save the filter</source>
        <translation>Enregistrer le filtre</translation>
    </message>
    <message>
        <source>Name of this filter (e.g. Refunds this month over $100):</source>
        <translation>Nom de ce filtre (p. ex. Remboursements de plus de 100 $ ce mois-ci) :</translation>
    </message>
    <message>
        <source>Rename the saved filter</source>
        <translation>Renommer le filtre enregistré</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>Nouveau nom :</translation>
    </message>
    <message>
        <source>Delete the saved filter</source>
        <translation>Supprimer le filtre enregistré</translation>
    </message>
    <message>
        <source>Delete the saved filter %1? The orders are not touched.</source>
        <translation>Supprimer le filtre enregistré %1 ? Les commandes ne sont pas touchées.</translation>
    </message>
    <message>
        <source>Date and time</source>
        <translation>Date et heure</translation>
    </message>
    <message>
        <source>Order number</source>
        <translation>N° de commande</translation>
    </message>
    <message>
        <source>IOTPay order ID</source>
        <translation>N° de commande IOTPay</translation>
    </message>
    <message>
        <source>Payment returned</source>
        <translation>Paiement remboursé</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Remboursé</translation>
    </message>
    <message>
        <source>Currency</source>
        <translation>Devise</translation>
    </message>
    <message>
        <source>Card brand</source>
        <translation>Réseau</translation>
    </message>
    <message>
        <source>Card on file</source>
        <translation>Carte enregistrée</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Opérateur</translation>
    </message>
    <message>
        <source>Desk</source>
        <translation>Poste</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Paiement</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>Remboursement</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>Annulation</translation>
    </message>
    <message>
        <source>Exported orders: %1</source>
        <extracomment>Where the export&apos;s file goes at first (None: the Documents folder).</extracomment>
        <translation>Commandes exportées : %1</translation>
    </message>
    <message>
        <source>at least the first amount</source>
        <translation>au moins le premier montant</translation>
    </message>
    <message>
        <source>0 or more</source>
        <translation>0 ou plus</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1 : %2</translation>
    </message>
    <message>
        <source>No profile is open.</source>
        <translation>Aucun profil n’est ouvert.</translation>
    </message>
    <message>
        <source>Reading the books…</source>
        <translation>Lecture des livres…</translation>
    </message>
    <message>
        <source>No order matches.</source>
        <translation>Aucune commande ne correspond.</translation>
    </message>
    <message>
        <source>Orders shown: %1 (more as you scroll)</source>
        <translation>Commandes affichées : %1 (d’autres en faisant défiler)</translation>
    </message>
    <message>
        <source>Orders: %1</source>
        <translation>Commandes : %1</translation>
    </message>
    <message>
        <source>The books could not be read: %1</source>
        <translation>Les livres n’ont pas pu être lus : %1</translation>
    </message>
</context>
<context>
    <name>VaultModel</name>
    <message>
        <source>%1 — expired</source>
        <translation>%1 — expirée</translation>
    </message>
    <message>
        <source>%1 — ends this month</source>
        <translation>%1 — expire ce mois-ci</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Card ID</source>
        <translation>ID de carte</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Carte</translation>
    </message>
    <message>
        <source>Expiry</source>
        <translation>Expiration</translation>
    </message>
    <message>
        <source>Added by</source>
        <translation>Ajoutée par</translation>
    </message>
    <message>
        <source>Added</source>
        <translation>Ajoutée le</translation>
    </message>
    <message>
        <source>Name on the card: %1</source>
        <translation>Nom sur la carte : %1</translation>
    </message>
    <message>
        <source>This card has expired: IOTPay will decline charges on it.</source>
        <translation>Cette carte a expiré : IOTPay refusera les débits sur celle-ci.</translation>
    </message>
    <message>
        <source>This card expires at the end of this month.</source>
        <translation>Cette carte expire à la fin du mois.</translation>
    </message>
</context>
<context>
    <name>VaultPage</name>
    <message>
        <source>Choose a merchant profile whose key is in the keychain to see and add cards.</source>
        <translation>Choisissez un profil marchand dont la clé est dans le trousseau pour voir et ajouter des cartes.</translation>
    </message>
    <message>
        <source>Add a card</source>
        <translation>Ajouter une carte</translation>
    </message>
    <message>
        <source>e.g. Jane Doe, account 1042</source>
        <translation>p. ex. Jeanne Roy, compte 1042</translation>
    </message>
    <message>
        <source>C&amp;ustomer:</source>
        <translation>C&amp;lient :</translation>
    </message>
    <message>
        <source>made by the desk</source>
        <translation>créé par le poste</translation>
    </message>
    <message>
        <source>Card &amp;ID (optional):</source>
        <translation>&amp;Identifiant de carte (facultatif) :</translation>
    </message>
    <message>
        <source>&amp;Add card…</source>
        <translation>&amp;Ajouter une carte…</translation>
    </message>
    <message>
        <source>The card is typed on IOTPay&apos;s secure page; the desk never sees the number.</source>
        <translation>La carte est saisie sur la page sécurisée d’IOTPay ; le poste ne voit jamais le numéro.</translation>
    </message>
    <message>
        <source>&amp;Direct entry…</source>
        <translation>Saisie &amp;directe…</translation>
    </message>
    <message>
        <source>Type the card here (only for merchants who confirmed PCI DSS compliance).</source>
        <translation>Saisir la carte ici (seulement pour les marchands ayant confirmé leur conformité PCI DSS).</translation>
    </message>
    <message>
        <source>Imp&amp;ort from IOTPay</source>
        <translation>Imp&amp;orter depuis IOTPay</translation>
    </message>
    <message>
        <source>Take a card already bound at IOTPay into this vault by its card ID (one added on another computer, or removed from this vault earlier).</source>
        <translation>Reprendre dans ce coffre, par son identifiant de carte, une carte déjà liée chez IOTPay (ajoutée sur un autre ordinateur, ou retirée de ce coffre plus tôt).</translation>
    </message>
    <message>
        <source>Customer, card ID, last 4 digits, name on the card or brand</source>
        <translation>Client, identifiant de carte, 4 derniers chiffres, nom sur la carte ou marque</translation>
    </message>
    <message>
        <source>&amp;Search:</source>
        <translation>&amp;Rechercher :</translation>
    </message>
    <message>
        <source>&amp;Refresh from IOTPay</source>
        <translation>Ac&amp;tualiser depuis IOTPay</translation>
    </message>
    <message>
        <source>Re&amp;move from vault…</source>
        <translation>Retirer du co&amp;ffre…</translation>
    </message>
    <message>
        <source>&amp;Payment page or link…</source>
        <translation>&amp;Page ou lien de paiement…</translation>
    </message>
    <message>
        <source>&amp;Wallet payment…</source>
        <translation>Paie&amp;ment par portefeuille…</translation>
    </message>
    <message>
        <source>Card vault</source>
        <translation>Coffre de cartes</translation>
    </message>
    <message>
        <source>Reading the card vault…</source>
        <translation>Lecture du coffre de cartes…</translation>
    </message>
    <message>
        <source>IOTPay had added these cards on a card page that was closed before the desk could confirm them; they are now in the vault: %1.</source>
        <translation>IOTPay avait ajouté ces cartes sur une page de carte fermée avant que le poste ne puisse les confirmer ; elles sont maintenant dans le coffre : %1.</translation>
    </message>
    <message>
        <source>%1 for %2 (card ID %3)</source>
        <translation>%1 pour %2 (identifiant de carte %3)</translation>
    </message>
    <message>
        <source>%1 card(s)</source>
        <translation>%1 carte(s)</translation>
    </message>
    <message>
        <source>%1 of %2 card(s)</source>
        <translation>%1 sur %2 carte(s)</translation>
    </message>
    <message>
        <source>%1 card(s) found</source>
        <translation>%1 carte(s) trouvée(s)</translation>
    </message>
    <message>
        <source>Showing the first %1 matching cards — type more of the name, account, last 4 digits or card ID to narrow the list</source>
        <translation>Affichage des %1 premières cartes correspondantes — précisez le nom, le compte, les 4 derniers chiffres ou l’identifiant de carte pour réduire la liste</translation>
    </message>
    <message>
        <source>Showing the first %1 cards — type part of a name, account, last 4 digits or card ID to narrow the list</source>
        <translation>Affichage des %1 premières cartes — tapez une partie d’un nom, d’un compte, des 4 derniers chiffres ou d’un identifiant de carte pour réduire la liste</translation>
    </message>
    <message>
        <source>The ledger cannot be reached: charges are off until it is back.</source>
        <translation>Le registre est injoignable : les débits sont désactivés jusqu&apos;à son retour.</translation>
    </message>
    <message>
        <source>Type who the card belongs to (a name or an account number).</source>
        <translation>Indiquez à qui appartient la carte (un nom ou un numéro de compte).</translation>
    </message>
    <message>
        <source>Asking IOTPay for its card page…</source>
        <translation>Demande de la page de carte à IOTPay…</translation>
    </message>
    <message>
        <source>Add a card for %1</source>
        <translation>Ajouter une carte pour %1</translation>
    </message>
    <message>
        <source>Type the card on IOTPay&apos;s page below, or hand the keyboard to the customer. The desk never sees the card number.</source>
        <translation>Saisissez la carte sur la page d’IOTPay ci-dessous, ou passez le clavier au client. Le poste ne voit jamais le numéro de carte.</translation>
    </message>
    <message>
        <source>Checking with IOTPay…</source>
        <translation>Vérification auprès d’IOTPay…</translation>
    </message>
    <message>
        <source>The card page was closed, and IOTPay could not be asked whether the card was added. The desk asks again when it next starts; a card IOTPay added then appears in the vault.</source>
        <translation>La page de carte a été fermée et IOTPay n’a pas pu être interrogé pour savoir si la carte a été ajoutée. Le poste redemandera à son prochain démarrage ; une carte ajoutée par IOTPay apparaîtra alors dans le coffre.</translation>
    </message>
    <message>
        <source>&amp;Charge…</source>
        <translation>Dé&amp;biter…</translation>
    </message>
    <message>
        <source>The card page was closed: no card was added.</source>
        <translation>La page de carte a été fermée : aucune carte n’a été ajoutée.</translation>
    </message>
    <message>
        <source>The card page was closed after IOTPay added the card: %1 for %2 (card ID %3) is in the vault.</source>
        <translation>La page de carte a été fermée après l’ajout de la carte par IOTPay : %1 pour %2 (identifiant de carte %3) est dans le coffre.</translation>
    </message>
    <message>
        <source>Confirming the card with IOTPay…</source>
        <translation>Confirmation de la carte auprès d’IOTPay…</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>aucune raison indiquée</translation>
    </message>
    <message>
        <source>IOTPay did not add the card: “%1”. Nothing was saved.</source>
        <translation>IOTPay n’a pas ajouté la carte : « %1 ». Rien n’a été enregistré.</translation>
    </message>
    <message>
        <source>Card added: %1 for %2 (card ID %3).</source>
        <translation>Carte ajoutée : %1 pour %2 (identifiant de carte %3).</translation>
    </message>
    <message>
        <source>Type the card ID the card was added under at IOTPay.</source>
        <translation>Tapez l’identifiant sous lequel la carte a été ajoutée chez IOTPay.</translation>
    </message>
    <message>
        <source>IOTPay has no card under card ID %1. Check the card ID, or add the card.</source>
        <translation>IOTPay n’a aucune carte sous l’identifiant %1. Vérifiez l’identifiant de carte, ou ajoutez la carte.</translation>
    </message>
    <message>
        <source>Asking IOTPay about the card…</source>
        <translation>Interrogation d’IOTPay sur la carte…</translation>
    </message>
    <message>
        <source>Card imported from IOTPay: %1 for %2 (card ID %3).</source>
        <translation>Carte reprise d’IOTPay : %1 pour %2 (identifiant de carte %3).</translation>
    </message>
    <message>
        <source>IOTPay has %1 under card ID %2, expiry %3.</source>
        <translation>IOTPay a %1 sous l’identifiant de carte %2, expiration %3.</translation>
    </message>
    <message>
        <source>Remove %1 of %2 from the desk&apos;s vault?

The card stays bound at IOTPay under card ID %3: IOTPay has no way to unbind a card. The desk only stops offering it for charges.</source>
        <translation>Retirer %1 de %2 du coffre du poste ?

La carte reste liée chez IOTPay sous l’identifiant de carte %3 : IOTPay ne permet pas de délier une carte. Le poste cesse seulement de la proposer pour les débits.</translation>
    </message>
    <message>
        <source>Remove a card from the vault</source>
        <translation>Retirer une carte du coffre</translation>
    </message>
    <message>
        <source>&amp;Remove from vault</source>
        <translation>&amp;Retirer du coffre</translation>
    </message>
    <message>
        <source>Removing the card from the vault…</source>
        <translation>Retrait de la carte du coffre…</translation>
    </message>
    <message>
        <source>%1 of %2 was removed from the vault. It is still bound at IOTPay.</source>
        <translation>%1 de %2 a été retirée du coffre. Elle reste liée chez IOTPay.</translation>
    </message>
</context>
<context>
    <name>WalletDialog</name>
    <message>
        <source>Charge a wallet payment token</source>
        <extracomment>A wallet token file larger than this is not a wallet token.</extracomment>
        <translation>Débiter un jeton de paiement de portefeuille</translation>
    </message>
    <message>
        <source>For payments your own app collected with Apple Pay or Google Pay: paste the payment token it produced (base64), or load it from a file.</source>
        <translation>Pour les paiements recueillis par votre propre application avec Apple Pay ou Google Pay : collez le jeton de paiement qu’elle a produit (base64), ou chargez-le depuis un fichier.</translation>
    </message>
    <message>
        <source>Apple Pay</source>
        <translation>Apple Pay</translation>
    </message>
    <message>
        <source>Google Pay</source>
        <translation>Google Pay</translation>
    </message>
    <message>
        <source>Paste the base64 payment token here</source>
        <translation>Collez ici le jeton de paiement en base64</translation>
    </message>
    <message>
        <source>&amp;Load from file…</source>
        <translation>&amp;Charger depuis un fichier…</translation>
    </message>
    <message>
        <source>e.g. 12.50</source>
        <translation>p. ex. 12,50</translation>
    </message>
    <message>
        <source>&amp;Wallet:</source>
        <translation>&amp;Portefeuille :</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>&amp;Jeton :</translation>
    </message>
    <message>
        <source>&amp;Amount:</source>
        <translation>&amp;Montant :</translation>
    </message>
    <message>
        <source>&amp;Subject:</source>
        <translation>&amp;Objet :</translation>
    </message>
    <message>
        <source>&amp;Note (kept in the journal):</source>
        <translation>&amp;Note (conservée dans le journal) :</translation>
    </message>
    <message>
        <source>C&amp;harge</source>
        <translation>Dé&amp;biter</translation>
    </message>
    <message>
        <source>&amp;Receipt…</source>
        <translation>&amp;Reçu…</translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation>Préparation…</translation>
    </message>
    <message>
        <source>%1: %2.</source>
        <translation>%1 : %2.</translation>
    </message>
    <message>
        <source>Load a wallet payment token</source>
        <translation>Charger un jeton de paiement de portefeuille</translation>
    </message>
    <message>
        <source>Token files (*.txt *.b64 *.json);;All files (*)</source>
        <translation>Fichiers de jeton (*.txt *.b64 *.json);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Reading the token file…</source>
        <translation>Lecture du fichier de jeton…</translation>
    </message>
    <message>
        <source>Charging the wallet token with IOTPay…</source>
        <translation>Débit du jeton de portefeuille auprès d’IOTPay…</translation>
    </message>
    <message>
        <source>Charged %1.</source>
        <translation>Débit de %1 effectué.</translation>
    </message>
    <message>
        <source>IOTPay&apos;s reference: %1.</source>
        <translation>Référence IOTPay : %1.</translation>
    </message>
    <message>
        <source>IOTPay has not confirmed the charge yet. The desk keeps checking with IOTPay and shows the outcome in Activity. Do not charge again.</source>
        <translation>IOTPay n’a pas encore confirmé le débit. Le poste continue de vérifier auprès d’IOTPay et affiche le résultat dans Activité. Ne débitez pas de nouveau.</translation>
    </message>
    <message>
        <source>The payment was declined: “%1”. Nothing was charged.</source>
        <translation>Le paiement a été refusé : « %1 ». Rien n’a été débité.</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>aucune raison indiquée</translation>
    </message>
    <message>
        <source>IOTPay never received the charge, so nothing was charged.</source>
        <translation>IOTPay n’a jamais reçu le débit : rien n’a été débité.</translation>
    </message>
    <message>
        <source>IOTPay refused the charge: “%1”. Nothing was charged.</source>
        <translation>IOTPay a refusé le débit : « %1 ». Rien n’a été débité.</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fermer</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <source>Paid</source>
        <translation>Payé</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Échoué</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Inconnu</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>Annulé</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Remboursé</translation>
    </message>
    <message>
        <source>Partly refunded</source>
        <translation>Remboursé en partie</translation>
    </message>
    <message>
        <source>Refunded or voided in full</source>
        <translation>Remboursé ou annulé en entier</translation>
    </message>
    <message>
        <source>Partly refunded (%1)</source>
        <translation>Remboursé en partie (%1)</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>Remboursement</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>Annulation</translation>
    </message>
    <message>
        <source>another desk</source>
        <translation>un autre poste</translation>
    </message>
    <message>
        <source>Being checked by %1</source>
        <translation>Vérification en cours par %1</translation>
    </message>
    <message>
        <source>Pacific Time</source>
        <translation>heure du Pacifique</translation>
    </message>
    <message>
        <source>Mountain Time</source>
        <translation>heure des Rocheuses</translation>
    </message>
    <message>
        <source>Central Time</source>
        <translation>heure du Centre</translation>
    </message>
    <message>
        <source>Eastern Time</source>
        <translation>heure de l’Est</translation>
    </message>
    <message>
        <source>Atlantic Time</source>
        <translation>heure de l’Atlantique</translation>
    </message>
    <message>
        <source>Newfoundland Time</source>
        <translation>heure de Terre-Neuve</translation>
    </message>
    <message>
        <source>Times in %1 (%2)</source>
        <translation>Heures affichées à l’%1 (%2)</translation>
    </message>
    <message>
        <source>Times in %1</source>
        <translation>Heures affichées selon le fuseau %1</translation>
    </message>
    <message>
        <source>Wallet charge</source>
        <translation>Paiement par portefeuille</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Envoi…</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Vérification…</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Refusé</translation>
    </message>
    <message>
        <source>Not received</source>
        <translation>Non reçu</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Effectué</translation>
    </message>
    <message>
        <source>Card charge</source>
        <translation>Débit de carte</translation>
    </message>
    <message>
        <source>Purchase link</source>
        <translation>Lien de paiement</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>Décliné</translation>
    </message>
    <message>
        <source>Visa</source>
        <translation>Visa</translation>
    </message>
    <message>
        <source>Mastercard</source>
        <translation>Mastercard</translation>
    </message>
    <message>
        <source>Interac</source>
        <translation>Interac</translation>
    </message>
</context>
<context>
    <name>keychain</name>
    <message>
        <source>No system keychain was found. Install and start a Secret Service provider such as GNOME Keyring or KWallet, then restart.</source>
        <translation>Aucun trousseau système n’a été trouvé. Installez et démarrez un fournisseur Secret Service, comme GNOME Keyring ou KWallet, puis redémarrez.</translation>
    </message>
    <message>
        <source>The only keychain available keeps keys in a plain file, which this desk does not use. Install and start a Secret Service provider such as GNOME Keyring or KWallet, then restart.</source>
        <translation>Le seul trousseau disponible conserve les clés dans un fichier en clair, que ce poste n’utilise pas. Installez et démarrez un fournisseur Secret Service, comme GNOME Keyring ou KWallet, puis redémarrez.</translation>
    </message>
    <message>
        <source>The system keychain could not be reached. Make sure its service (such as GNOME Keyring or KWallet) is running, then restart.</source>
        <translation>Impossible de joindre le trousseau du système. Vérifiez que son service (comme GNOME Keyring ou KWallet) est lancé, puis redémarrez.</translation>
    </message>
    <message>
        <source>Your system keychain is locked — unlock it and retry.</source>
        <translation>Le trousseau de votre système est verrouillé — déverrouillez-le et réessayez.</translation>
    </message>
    <message>
        <source>The system keychain did not store the merchant key. Retry; if it keeps failing, open your keychain application and check it.</source>
        <translation>Le trousseau du système n’a pas enregistré la clé marchand. Réessayez ; si l’échec persiste, ouvrez l’application de votre trousseau et vérifiez-la.</translation>
    </message>
    <message>
        <source>The keychain prompt was cancelled, so the desk cannot use the keychain yet. Retry, and accept the prompt when it appears.</source>
        <translation>La demande du trousseau a été annulée : le poste ne peut pas encore utiliser le trousseau. Réessayez, puis acceptez la demande quand elle s’affiche.</translation>
    </message>
    <message>
        <source>The system keychain did not store the ledger password. Retry; if it keeps failing, open your keychain application and check it.</source>
        <translation>Le trousseau du système n’a pas enregistré le mot de passe du registre. Réessayez ; si l’échec persiste, ouvrez l’application de votre trousseau et vérifiez-la.</translation>
    </message>
</context>
<context>
    <name>profile</name>
    <message>
        <source>Profile id</source>
        <translation>Identifiant du profil</translation>
    </message>
    <message>
        <source>Profile name</source>
        <translation>Nom du profil</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>Environnement</translation>
    </message>
    <message>
        <source>Server URL</source>
        <translation>URL du serveur</translation>
    </message>
    <message>
        <source>Merchant ID (mchId)</source>
        <translation>Identifiant marchand (mchId)</translation>
    </message>
    <message>
        <source>Operator login names</source>
        <translation>Identifiants des opérateurs</translation>
    </message>
    <message>
        <source>Default operator</source>
        <translation>Opérateur par défaut</translation>
    </message>
    <message>
        <source>Daily batch cut-off</source>
        <translation>Heure de clôture quotidienne</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>Fuseau horaire</translation>
    </message>
    <message>
        <source>Retype refund amounts above</source>
        <translation>Faire retaper les remboursements au-delà de</translation>
    </message>
    <message>
        <source>Direct card entry (PCI DSS)</source>
        <translation>Saisie directe de carte (PCI DSS)</translation>
    </message>
    <message>
        <source>PCI DSS confirmation</source>
        <translation>Confirmation PCI DSS</translation>
    </message>
    <message>
        <source>Notify URL</source>
        <translation>URL de notification</translation>
    </message>
    <message>
        <source>Keep checking unconfirmed actions for</source>
        <translation>Vérifier les actions non confirmées pendant</translation>
    </message>
    <message>
        <source>Warn of a repeat charge within</source>
        <translation>Avertir d’un débit répété dans les</translation>
    </message>
    <message>
        <source>Trade name on receipts</source>
        <translation>Nom commercial sur les reçus</translation>
    </message>
    <message>
        <source>Address on receipts</source>
        <translation>Adresse sur les reçus</translation>
    </message>
    <message>
        <source>GST/HST number</source>
        <translation>Numéro de TPS/TVH</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Créé le</translation>
    </message>
    <message>
        <source>Ledger</source>
        <translation>Registre</translation>
    </message>
    <message>
        <source>Ledger server host</source>
        <translation>Hôte du serveur du registre</translation>
    </message>
    <message>
        <source>Ledger server port</source>
        <translation>Port du serveur du registre</translation>
    </message>
    <message>
        <source>Ledger database</source>
        <translation>Base de données du registre</translation>
    </message>
    <message>
        <source>Ledger user</source>
        <translation>Utilisateur du registre</translation>
    </message>
    <message>
        <source>Ledger TLS mode</source>
        <translation>Mode TLS du registre</translation>
    </message>
    <message>
        <source>Production (ccapi.iotpaycloud.com)</source>
        <extracomment>libpq&apos;s ``sslmode`` values the desk offers (the same as ``ledger.connect.SSL_MODES``). PostgreSQL keeps names (databases, roles) to NAMEDATALEN - 1 = 63 bytes.</extracomment>
        <translation>Production (ccapi.iotpaycloud.com)</translation>
    </message>
    <message>
        <source>IOTPay test host (ccdev.iotpaycloud.com)</source>
        <translation>Serveur de test IOTPay (ccdev.iotpaycloud.com)</translation>
    </message>
    <message>
        <source>Custom URL</source>
        <translation>URL personnalisée</translation>
    </message>
    <message>
        <source>Local sandbox</source>
        <translation>Bac à sable local</translation>
    </message>
    <message>
        <source>Merchant key</source>
        <translation>Clé du commerçant</translation>
    </message>
    <message>
        <source>Ledger password</source>
        <translation>Mot de passe du registre</translation>
    </message>
    <message>
        <source>Operator login name %1</source>
        <translation>Identifiant d’opérateur %1</translation>
    </message>
</context>
<context>
    <name>settings</name>
    <message>
        <source>Language</source>
        <extracomment>Shown only to developers (``--pseudo``), not to merchants. A text setting with this is a name: 1 to ``max_chars`` printable characters, no spaces at its ends. A whole-number setting whose 0 means something of its own: shown for 0 instead of the figure.</extracomment>
        <translation>Langue</translation>
    </message>
    <message>
        <source>The language of the desk. Takes effect after a restart.</source>
        <translation>La langue du poste. Prend effet au prochain démarrage.</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>Comme le système</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Thème</translation>
    </message>
    <message>
        <source>Light or dark colours, or follow the system.</source>
        <translation>Couleurs claires ou sombres, ou comme le système.</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Clair</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Sombre</translation>
    </message>
    <message>
        <source>Retype large refund amounts</source>
        <translation>Faire retaper les gros remboursements</translation>
    </message>
    <message>
        <source>Ask the cashier to type the amount again for refunds above the profile&apos;s threshold.</source>
        <translation>Demander au caissier de retaper le montant des remboursements au-delà du seuil du profil.</translation>
    </message>
    <message>
        <source>Recent lookups to remember</source>
        <translation>Recherches récentes à retenir</translation>
    </message>
    <message>
        <source>How many recent order lookups the search box offers (0 turns it off).</source>
        <translation>Nombre de recherches de commandes récentes proposées par la zone de recherche (0 pour désactiver).</translation>
    </message>
    <message>
        <source>Free card page memory after (minutes)</source>
        <translation>Libérer la mémoire des pages de carte après (minutes)</translation>
    </message>
    <message>
        <source>Once no card page has been open for this many minutes, the desk gives back the memory IOTPay&apos;s card pages use; the next one then opens a little slower. 0 keeps them ready until the desk quits.</source>
        <translation>Quand aucune page de carte n’a été ouverte depuis ce nombre de minutes, le poste rend la mémoire qu’utilisent les pages de carte d’IOTPay ; la suivante s’ouvre alors un peu plus lentement. 0 les garde prêtes jusqu’à la fermeture du poste.</translation>
    </message>
    <message>
        <source>Never (keep ready)</source>
        <translation>Jamais (garder prêtes)</translation>
    </message>
    <message>
        <source>Log detail</source>
        <translation>Détail du journal</translation>
    </message>
    <message>
        <source>How much the desk writes to its log file. Card data and keys never are.</source>
        <translation>Quantité d’informations écrites dans le fichier journal. Les données de carte et les clés ne le sont jamais.</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>Erreurs seulement</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>Avertissements</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>Normal</translation>
    </message>
    <message>
        <source>Everything (for support)</source>
        <translation>Tout (pour l’assistance)</translation>
    </message>
    <message>
        <source>Lengthen all texts (layout check)</source>
        <translation>Allonger tous les textes (contrôle de mise en page)</translation>
    </message>
    <message>
        <source>Shows every text about a third longer to find clipped labels. Needs a restart.</source>
        <translation>Affiche chaque texte environ un tiers plus long pour repérer les libellés tronqués. Nécessite un redémarrage.</translation>
    </message>
    <message>
        <source>Desk name</source>
        <translation>Nom du poste</translation>
    </message>
    <message>
        <source>The name of this computer&apos;s desk, shown to other desks sharing the merchant&apos;s ledger and written in the audit trail with each action. 1 to 40 characters.</source>
        <translation>Le nom du poste de cet ordinateur, affiché aux autres postes qui partagent le registre du marchand et inscrit au journal d’audit avec chaque opération. De 1 à 40 caractères.</translation>
    </message>
</context>
<context>
    <name>widget</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>Booked: %1</source>
        <translation>Inscrites aux livres : %1</translation>
    </message>
    <message>
        <source>Same as IOTPay: %1</source>
        <translation>Identiques chez IOTPay : %1</translation>
    </message>
    <message>
        <source>Differ from IOTPay: %1</source>
        <translation>Différentes chez IOTPay : %1</translation>
    </message>
    <message>
        <source>Not found at IOTPay: %1</source>
        <translation>Introuvables chez IOTPay : %1</translation>
    </message>
    <message>
        <source>Left out (bad lines): %1</source>
        <translation>Écartées (lignes erronées) : %1</translation>
    </message>
    <message>
        <source>Could not reach IOTPay: %1</source>
        <translation>Impossible de joindre IOTPay : %1</translation>
    </message>
    <message>
        <source>the file cannot be opened (it was moved, or is not readable).</source>
        <translation>le fichier ne peut pas être ouvert (il a été déplacé ou n’est pas lisible).</translation>
    </message>
    <message>
        <source>the file is too large to be a list of orders (at most %1 MB and %2 lines).</source>
        <translation>le fichier est trop gros pour être une liste de commandes (au plus %1 Mo et %2 lignes).</translation>
    </message>
    <message>
        <source>the file is empty.</source>
        <translation>le fichier est vide.</translation>
    </message>
    <message>
        <source>the file is saved as UTF-16 (&quot;Unicode text&quot;): save it as CSV UTF-8 and try again.</source>
        <translation>le fichier est enregistré en UTF-16 (« Texte Unicode ») : enregistrez-le en CSV UTF-8 et réessayez.</translation>
    </message>
    <message>
        <source>the file is not a CSV text file (a spreadsheet or another kind of file?): save it as CSV and try again.</source>
        <translation>le fichier n’est pas un fichier texte CSV (un classeur ou un autre type de fichier ?) : enregistrez-le en CSV et réessayez.</translation>
    </message>
    <message>
        <source>the file&apos;s text cannot be read: save it as CSV UTF-8 and try again.</source>
        <translation>le texte du fichier ne peut pas être lu : enregistrez-le en CSV UTF-8 et réessayez.</translation>
    </message>
    <message>
        <source>no column is named like an order number or an IOTPay order ID (for example &quot;Order ID&quot;, &quot;payOrderId&quot;, &quot;mchOrderNo&quot;, &quot;Order number&quot;, &quot;N° de commande&quot;); a file of one column needs no header.</source>
        <translation>aucune colonne ne porte le nom d’un numéro de commande ou d’un identifiant de commande IOTPay (par exemple « Order ID », « payOrderId », « mchOrderNo », « Order number », « N° de commande ») ; un fichier d’une seule colonne n’a pas besoin d’en-tête.</translation>
    </message>
    <message>
        <source>line %1 holds a spreadsheet formula where an order should be: nothing was imported. Remove formulas and try again.</source>
        <translation>la ligne %1 contient une formule de tableur là où devrait se trouver une commande : rien n’a été importé. Retirez les formules et réessayez.</translation>
    </message>
    <message>
        <source>the file has no order in it.</source>
        <translation>le fichier ne contient aucune commande.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1 : %2</translation>
    </message>
    <message>
        <source>empty</source>
        <translation>vide</translation>
    </message>
    <message>
        <source>the same as line %1</source>
        <translation>identique à la ligne %1</translation>
    </message>
    <message>
        <source>looks like a card number (not kept)</source>
        <translation>ressemble à un numéro de carte (non conservé)</translation>
    </message>
    <message>
        <source>not an order number or IOTPay order ID: %1</source>
        <translation>pas un numéro de commande ni un identifiant de commande IOTPay : %1</translation>
    </message>
</context>
</TS>
